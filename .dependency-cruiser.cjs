/**
 * The import rules of src/, checked by `npm run lint` (dependency-cruiser). The folders form
 * layers, lowest first; each may import only the layers below it, type-only imports included,
 * and no file may take part in an import cycle. docs/architecture.md says why each layer sits
 * where it does.
 */
const LAYERS = ['shared', 'config', 'data', 'model', 'training', 'storage', 'export', 'ui', 'app'];

const layerRules = LAYERS.slice(0, -1).map((layer, index) => {
  const above = LAYERS.slice(index + 1);
  const below = LAYERS.slice(0, index);
  return {
    name: `${layer}-imports-only-below`,
    comment: `src/${layer}/ may import only ${below.length > 0 ? below.map((l) => `src/${l}/`).join(', ') : 'nothing else of src/'}.`,
    severity: 'error',
    from: { path: `^src/${layer}/` },
    to: { path: `^src/(${above.join('|')})/` },
  };
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'An import cycle makes two modules one module in disguise.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves to a file or a package.',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports are dependencies too: a type from a higher layer ties the layers.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    // Vite's asset imports (`…wasm?url`, `…py?raw`) are files, not modules to follow.
    exclude: { path: '\\?(url|raw)$' },
  },
};
