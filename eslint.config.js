// Lint also guards the architecture: each third-party library enters through one folder,
// and the ML layers (config, data, model, training, storage) never import React or the UI.
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const PAPAPARSE = { name: 'papaparse', message: 'Import papaparse only under src/data/.' };
const TFJS_VIS = {
  name: '@tensorflow/tfjs-vis',
  message: 'Import tfjs-vis only under src/ui/charts/.',
};
/** tfjs-vis' own renderer: the live curves use its views directly (see docs/architecture.md). */
const VEGA = ['vega', 'vega-lite', 'vega-tooltip', 'vega-embed'].map((name) => ({
  name,
  message: 'Import vega only under src/ui/charts/.',
}));
const REACT = ['react', 'react-dom', 'react-dom/client'].map((name) => ({
  name,
  message: 'ML layers run in workers and Node: no React here.',
}));
const NO_UI = { group: ['**/ui/**', '**/app/**'], message: 'ML layers never import the UI.' };

/** One no-restricted-imports rule for a set of folders. */
const restrict = (files, paths, patterns = []) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { paths, patterns }] },
});

export default tseslint.config(
  { ignores: ['dist', 'node_modules', '.fixtures', 'bench/results'] },
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
  restrict(
    ['src/config/**', 'src/model/**', 'src/training/**', 'src/storage/**'],
    [PAPAPARSE, TFJS_VIS, ...VEGA, ...REACT],
    [NO_UI],
  ),
  restrict(['src/data/**'], [TFJS_VIS, ...VEGA, ...REACT], [NO_UI]),
  restrict(['src/ui/charts/**'], [PAPAPARSE]),
  restrict(['src/main.tsx', 'src/app/**', 'src/ui/**'], [PAPAPARSE, TFJS_VIS, ...VEGA]),
  // The last match wins in flat config, so charts get their own rule after src/ui/**.
  restrict(['src/ui/charts/**'], [PAPAPARSE]),
);
