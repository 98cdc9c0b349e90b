/// <reference types="vitest/config" />
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import {
  contentSecurityPolicyHeader,
  contentSecurityPolicyPlugin,
} from './build/content-security-policy.mjs';
import { conv3x3KernelsPlugin } from './build/conv3x3-kernels-plugin.mjs';
import { progressiveWebAppPlugin } from './build/pwa.mjs';
import { wasmThreadsPlugin } from './build/wasm-threads-plugin.mjs';

/**
 * Cross-origin isolation (COOP + COEP) lets the page use SharedArrayBuffer, which the
 * multi-threaded WASM backend needs. Static hosting must send the same two headers.
 */
const CROSS_ORIGIN_ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The page's Content-Security-Policy (build/content-security-policy.mjs), beside the isolation
 * headers; static hosting sends the production one (README, "Hosting"). The dev server's, with
 * a nonce new at each start, comes from contentSecurityPolicyPlugin.
 */
const PRODUCTION_HEADERS = {
  ...CROSS_ORIGIN_ISOLATION_HEADERS,
  'Content-Security-Policy': contentSecurityPolicyHeader(),
};

/** The start of the banner tfjs-backend-cpu prints when it finds itself in Node. */
const TFJS_NODE_BACKEND_ADVICE = 'looks like you are running TensorFlow.js in Node.js';

const PROJECT_ROOT = fileURLToPath(new URL('.', import.meta.url));

/**
 * The pages of the production build: the app, and the page that hosts the engine for the
 * command line (`npm run train`, cli/). Added only when the build's root is this folder, so
 * builds of other roots through this config (the bench pages) keep their own inputs.
 */
function productionPagesPlugin(): Plugin {
  return {
    name: 'production-pages',
    config: (config) =>
      resolve(config.root ?? '.') === resolve(PROJECT_ROOT)
        ? {
            build: {
              rolldownOptions: {
                input: {
                  main: resolve(PROJECT_ROOT, 'index.html'),
                  'cli-host': resolve(PROJECT_ROOT, 'src/app/cli-host.html'),
                },
              },
            },
          }
        : undefined,
  };
}

/** Browser tests build and drive the whole app, so they get minutes, not seconds. */
const BROWSER_TEST_TIMEOUT_MS = 15 * 60 * 1000;

export default defineConfig({
  // The threaded WASM backend needs its factory source intact, and our convolution kernels
  // (virtual:conv3x3-kernels) built, in every bundle that imports them; worker bundles do not
  // inherit `plugins`, so both lists carry both.
  plugins: [
    react(),
    wasmThreadsPlugin(),
    conv3x3KernelsPlugin(),
    productionPagesPlugin(),
    contentSecurityPolicyPlugin(),
    progressiveWebAppPlugin(),
  ],
  base: './',
  worker: { format: 'es', plugins: () => [wasmThreadsPlugin(), conv3x3KernelsPlugin()] },
  server: { headers: CROSS_ORIGIN_ISOLATION_HEADERS },
  preview: { headers: PRODUCTION_HEADERS },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  test: {
    // tfjs prints this once per test file that runs it in Node: the tests use its cpu backend
    // on purpose (no native binary can be installed here), so the advice is noise.
    onConsoleLog: (log) => !log.includes(TFJS_NODE_BACKEND_ADVICE),
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          globalSetup: ['tests/support/fixtures-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          // The panels rendered in a simulated DOM, found by role and label as in the journeys.
          name: 'components',
          include: ['tests/components/**/*.test.tsx'],
          environment: 'happy-dom',
          testTimeout: 30_000,
          hookTimeout: 30_000,
          globalSetup: ['tests/support/fixtures-setup.ts'],
          setupFiles: ['tests/components/setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.spec.ts'],
          environment: 'node',
          testTimeout: BROWSER_TEST_TIMEOUT_MS,
          hookTimeout: BROWSER_TEST_TIMEOUT_MS,
          globalSetup: ['tests/support/fixtures-setup.ts', 'tests/browser/server-setup.ts'],
          // One Chromium at a time: the machine has two cores and SwiftShader wants both.
          fileParallelism: false,
        },
      },
    ],
  },
});
