/**
 * The app as an installable, offline web app: vite-plugin-pwa writes the web app manifest and
 * a Workbox service worker that precaches the production build.
 *
 * - Precached: index.html, every script (the app's chunks, the ingest and training workers),
 *   the stylesheet, the three tfjs WASM binaries, the icons, the manifest and the shipped
 *   sample, so after one visit the app opens, loads files and trains with the network off.
 *   Other HTML pages of the build (the command line's host page) are left out: the service
 *   worker does not answer for them, so they always come from the server.
 * - Updates without a stale mix: a new service worker installs beside the old one and waits
 *   (`registerType: 'prompt'`, no skipWaiting, no clientsClaim) while the open page keeps
 *   running on the old precache; the page says an update is ready, and its Reload button tells
 *   the new worker to take over and reloads (src/app/use-app-update.ts). Only then are the old
 *   version's files dropped (cleanupOutdatedCaches).
 * - No navigation fallback: the app is one page; `?backend=…` and other URL options are
 *   ignored when matching the precache, so `./?backend=wasm` is served index.html offline too.
 * - Registration is the app's own module import (`injectRegister: false`): no inline script,
 *   which the Content-Security-Policy refuses.
 *
 * Plain JavaScript (types in the .d.mts beside it), like the other build helpers.
 */
import { VitePWA } from 'vite-plugin-pwa';

/** The largest file Workbox precaches (the training worker's bundle is about 2 MB). */
const PRECACHE_MAX_FILE_BYTES = 8 * 1024 * 1024;

/** The manifest's colours: the page background and the icon's blue. */
const BACKGROUND_COLOR = '#f5f6f8';
const THEME_COLOR = '#1f4fd1';

/** The files the service worker precaches, relative to dist/. */
export const PRECACHE_GLOB_PATTERNS = [
  'index.html',
  '*.{svg,png,webmanifest}',
  'assets/**/*.{js,css,wasm}',
  'sample/*.gz',
];

/** @returns {import('vite').PluginOption} */
export function progressiveWebAppPlugin() {
  return VitePWA({
    registerType: 'prompt',
    injectRegister: false,
    manifest: {
      name: 'Fashion-MNIST Studio',
      short_name: 'FM Studio',
      description: 'Train a convolutional network on Fashion-MNIST in your browser tab.',
      start_url: './',
      scope: './',
      display: 'standalone',
      background_color: BACKGROUND_COLOR,
      theme_color: THEME_COLOR,
      icons: [
        { src: 'pwa-192x192.png', sizes: '192x192', type: 'image/png' },
        { src: 'pwa-512x512.png', sizes: '512x512', type: 'image/png' },
        {
          src: 'maskable-icon-512x512.png',
          sizes: '512x512',
          type: 'image/png',
          purpose: 'maskable',
        },
      ],
    },
    workbox: {
      globPatterns: PRECACHE_GLOB_PATTERNS,
      maximumFileSizeToCacheInBytes: PRECACHE_MAX_FILE_BYTES,
      navigateFallback: null,
      ignoreURLParametersMatching: [/.*/],
      cleanupOutdatedCaches: true,
      clientsClaim: false,
      skipWaiting: false,
    },
  });
}
