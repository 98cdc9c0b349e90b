/**
 * The Content-Security-Policy the app runs under: `npm run dev` and `npm run preview` send it
 * (vite.config.ts), and static hosting should send the same header (README, "Hosting").
 *
 * Why each source is there:
 * - `script-src 'self' 'wasm-unsafe-eval' blob:`: the app's own modules; compiling WebAssembly
 *   (tfjs-backend-wasm) needs 'wasm-unsafe-eval', which allows WebAssembly compilation but not
 *   `eval` or `new Function`. `blob:` because the threaded WASM build starts emscripten's
 *   helper workers from Blob URLs and each helper loads the backend's code with
 *   `importScripts(blobUrl)`; a blob: URL can only be made by code already running in the page,
 *   so it admits nothing from outside. No 'unsafe-eval' and no 'unsafe-inline': vega runs with
 *   its expression interpreter instead of compiling expressions (src/ui/charts/staged-view.ts).
 * - `worker-src 'self' blob:`: the ingest and training workers, the service worker, and those
 *   helper workers.
 * - `connect-src 'self'` plus the raw GitHub host: the app's own files (WASM binaries, the
 *   sample) and the opt-in download of the official dataset, nothing else.
 * - `style-src 'self'`: the stylesheet only (styles set from script through the CSSOM, as React
 *   and vega do, are not inline style sources).
 * - `img-src 'self' data:`: the favicon and icons; `data:` for the command line's host page,
 *   whose favicon is an empty data URL. Pictures chosen in Try it are decoded with
 *   createImageBitmap and charts draw on canvases, so no blob: images are needed.
 * - `object-src 'none'`, `base-uri 'none'`, `frame-ancestors 'none'`, `form-action 'none'`:
 *   no plugins, no <base> rewriting of relative URLs, no framing, no form posts.
 *
 * Plain JavaScript (types in the .d.mts beside it), like the other build helpers, so that
 * vite.config.ts and the tests import the same list.
 */
import { randomBytes } from 'node:crypto';

/** The one origin the page may connect to besides its own (src/data/dataset-download.ts). */
export const DATASET_DOWNLOAD_ORIGIN = 'https://raw.githubusercontent.com';

/** Directive → sources, in the order they are sent. */
export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'", 'blob:'],
  'worker-src': ["'self'", 'blob:'],
  'connect-src': ["'self'", DATASET_DOWNLOAD_ORIGIN],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'frame-ancestors': ["'none'"],
  'form-action': ["'none'"],
};

/**
 * A nonce for the script and style elements Vite injects in `npm run dev` (React's refresh
 * preamble, stylesheets as <style> elements for hot reloading): 128 random bits in base64, as
 * CSP nonces are written. A new one each time the dev server starts, so a page cannot know it
 * in advance. The production build has no inline script or style, and `npm run preview` and
 * hosting send the policy without a nonce.
 */
export function createDevServerNonce() {
  return randomBytes(16).toString('base64');
}

/**
 * The policy as one header value; with `nonce`, script and style elements carrying it are
 * allowed too (the dev server's).
 */
export function contentSecurityPolicyHeader({ nonce } = {}) {
  return Object.entries(CONTENT_SECURITY_POLICY)
    .map(([directive, sources]) => {
      const withNonce =
        nonce && (directive === 'script-src' || directive === 'style-src')
          ? [...sources, `'nonce-${nonce}'`]
          : sources;
      return `${directive} ${withNonce.join(' ')}`;
    })
    .join('; ');
}

/**
 * Vite plugin: each time the dev server starts (a restart after a config change too), a fresh
 * nonce, which Vite puts on what it injects (`html.cspNonce`) and the server's policy allows.
 * Preview and build get nothing here: they send the production policy (vite.config.ts).
 * @returns {import('vite').Plugin}
 */
export function contentSecurityPolicyPlugin() {
  return {
    name: 'fashion-mnist:content-security-policy',
    config: (_config, env) => {
      if (env.command !== 'serve' || env.isPreview) return null;
      const nonce = createDevServerNonce();
      return {
        html: { cspNonce: nonce },
        server: { headers: { 'Content-Security-Policy': contentSecurityPolicyHeader({ nonce }) } },
      };
    },
  };
}
