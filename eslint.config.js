// Lint also guards the architecture: each third-party library enters through one folder,
// the ML layers (config, data, model, training, storage) never import React, and files and
// functions stay small enough to read. Which folder may import which is dependency-cruiser's
// job (.dependency-cruiser.cjs), run by `npm run lint` after ESLint.
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const PAPAPARSE = { name: 'papaparse', message: 'Import papaparse only under src/data/.' };
/** ZIP archives are read in the ingest worker and written by the export; one module each. */
const FFLATE = {
  name: 'fflate',
  message: 'Import fflate only in src/data/zip-archive.ts and src/export/project-zip.ts.',
};
/** The export writes text and bytes; TensorFlow.js stays out of it. */
const TFJS = { name: '@tensorflow/tfjs', message: 'src/export/ does not load TensorFlow.js.' };
/**
 * tfjs-vis and its renderer, vega-embed, are imported nowhere in src/: vega-embed compiles
 * expressions with `new Function`, which the page's policy refuses. src/ui/charts/ builds
 * tfjs-vis' specs itself; tests/components/tfjs-vis-specs.test.tsx checks them against it.
 */
const TFJS_VIS = {
  name: '@tensorflow/tfjs-vis',
  message:
    'Do not import tfjs-vis in src/: src/ui/charts/ builds its specs and draws them with vega.',
};
const VEGA_EMBED = {
  name: 'vega-embed',
  message: 'vega-embed needs eval: build views with src/ui/charts/staged-view.ts.',
};
/** vega and its companions, for the charts only (see docs/architecture.md). */
const VEGA = ['vega', 'vega-lite', 'vega-tooltip', 'vega-embed', 'vega-interpreter'].map(
  (name) => ({
    name,
    message: 'Import vega only under src/ui/charts/.',
  }),
);
const TFJS_WASM = {
  name: '@tensorflow/tfjs-backend-wasm',
  message: 'Import tfjs-backend-wasm only in src/training/backend/wasm.ts.',
};
const REACT = ['react', 'react-dom', 'react-dom/client'].map((name) => ({
  name,
  message: 'ML layers run in workers and Node: no React here.',
}));

/** One no-restricted-imports rule for a set of files (a later match replaces an earlier one). */
const restrict = (files, paths, ignores = []) => ({
  files,
  ignores,
  rules: { 'no-restricted-imports': ['error', { paths }] },
});

/** Longest source file and function, in lines as a reader sees them (blank lines and comments count). */
const MAX_FILE_LINES = 350;
const MAX_FUNCTION_LINES = 80;

export default tseslint.config(
  { ignores: ['dist', 'node_modules', '.fixtures', 'bench/results', 'runs'] },
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { ecmaVersion: 2022, globals: { ...globals.browser, ...globals.node } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    rules: {
      'max-lines': ['error', { max: MAX_FILE_LINES, skipBlankLines: false, skipComments: false }],
      'max-lines-per-function': [
        'error',
        { max: MAX_FUNCTION_LINES, skipBlankLines: false, skipComments: false },
      ],
    },
  },
  // Each file matches exactly one of these, so none is overridden by a later one.
  restrict(
    ['src/shared/**', 'src/config/**', 'src/model/**', 'src/training/**', 'src/storage/**'],
    [PAPAPARSE, FFLATE, TFJS_VIS, ...VEGA, ...REACT, TFJS_WASM],
    ['src/training/backend/wasm.ts'],
  ),
  restrict(['src/training/backend/wasm.ts'], [PAPAPARSE, FFLATE, TFJS_VIS, ...VEGA, ...REACT]),
  restrict(
    ['src/data/**'],
    [FFLATE, TFJS_VIS, ...VEGA, ...REACT, TFJS_WASM],
    ['src/data/zip-archive.ts'],
  ),
  restrict(['src/data/zip-archive.ts'], [TFJS_VIS, ...VEGA, ...REACT, TFJS_WASM]),
  restrict(
    ['src/export/**'],
    [PAPAPARSE, FFLATE, TFJS, TFJS_VIS, ...VEGA, ...REACT, TFJS_WASM],
    ['src/export/project-zip.ts'],
  ),
  restrict(
    ['src/export/project-zip.ts'],
    [PAPAPARSE, TFJS, TFJS_VIS, ...VEGA, ...REACT, TFJS_WASM],
  ),
  restrict(
    ['src/main.tsx', 'src/app/**', 'src/ui/**'],
    [PAPAPARSE, FFLATE, TFJS_VIS, ...VEGA, TFJS_WASM],
    ['src/ui/charts/**'],
  ),
  restrict(['src/ui/charts/**'], [PAPAPARSE, FFLATE, TFJS_WASM, TFJS_VIS, VEGA_EMBED]),
);
