/**
 * Keeps tfjs-backend-wasm's multi-threaded build working after minification.
 *
 * Why: tfjs starts emscripten's pthread helper workers from a Blob holding
 * `"var WasmBackendModuleThreadedSimd = " + factory.toString()`, i.e. the factory's *source
 * text*, re-evaluated in a worker outside the closure it was written in. Upstream that text only
 * reaches outside itself through `typeof _scriptDir !== "undefined" && _scriptDir`, which is
 * safe anywhere. Vite 8's minifier knows `_scriptDir` is a declared local of the enclosing
 * IIFE, so it rewrites the guard to `e !== void 0 && e` (and mangles the name): evaluated in
 * the helper, where no `e` exists, that throws `ReferenceError: e is not defined`, the helpers
 * never report "loaded", and the backend's init waits for them forever.
 *
 * Fix: give the factory an own `toString` that returns its upstream source as a string
 * literal, taken from the file before any transform. Minifiers do not touch string contents,
 * so the helpers evaluate exactly what emscripten emitted, while the main thread keeps
 * running the minified copy in its own closure. Cost: the factory's source (~55 kB, ~15 kB
 * gzipped) appears once more in the bundle that imports the backend.
 *
 * Plain JavaScript (types in the .d.mts beside it) so that vite.config.ts can import it with
 * its extension, as Vite's native config loader wants, without TypeScript-extension imports.
 *
 * The build fails loudly if the file's shape changes (e.g. a tfjs upgrade), instead of
 * silently shipping a threaded build that hangs.
 */

/** The emscripten glue whose factory source the helper workers evaluate. */
const THREADED_FACTORY_FILE =
  /@tensorflow[\\/]tfjs-backend-wasm[\\/]wasm-out[\\/]tfjs-backend-wasm-threaded-simd\.js$/;
const FACTORY_NAME = 'WasmBackendModuleThreadedSimd';
/** Emscripten's MODULARIZE wrapper: `return (\nfunction(Name) {…}\n);\n})();`. */
const INNER_FACTORY_START = `\nfunction(${FACTORY_NAME}) {`;
const INNER_FACTORY_END = '\n}\n);\n})();';

/**
 * The source text of the inner factory function (what `toString()` returns upstream), or null
 * when the file does not have the expected MODULARIZE shape.
 */
export function extractThreadedFactorySource(code) {
  const start = code.indexOf(INNER_FACTORY_START);
  if (start < 0) return null;
  const end = code.indexOf(INNER_FACTORY_END, start);
  if (end < 0) return null;
  return code.slice(start + 1, end + 2);
}

/** The module's code with the factory's `toString` pinned to its unminified source. */
export function pinThreadedFactorySource(code) {
  const source = extractThreadedFactorySource(code);
  if (source === null) return null;
  // Appended at module scope, where the factory is a plain `var`; the minifier renames the
  // binding consistently but leaves the string literal alone.
  return `${code}\n;${FACTORY_NAME}.toString = function () { return ${JSON.stringify(source)}; };\n`;
}

/**
 * Vite plugin: apply to the app and, separately, to `worker.plugins` (worker bundles do not
 * get the top-level plugins).
 */
/** @returns {import('vite').Plugin} */
export function wasmThreadsPlugin() {
  return {
    name: 'fashion-mnist:wasm-threads',
    enforce: 'pre',
    transform(code, id) {
      if (!THREADED_FACTORY_FILE.test(id.split('?')[0])) return null;
      const pinned = pinThreadedFactorySource(code);
      if (pinned === null) {
        this.error(
          `${id}: emscripten factory not found; the threaded WASM helpers would hang (see build/wasm-threads-plugin.mjs)`,
        );
      }
      return { code: pinned, map: null };
    },
  };
}
