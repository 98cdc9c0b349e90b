import type { Plugin } from 'vite';

/** The inner emscripten factory's source text, or null if the file's shape is unexpected. */
export declare function extractThreadedFactorySource(code: string): string | null;
/** The module's code with the factory's `toString` pinned to its unminified source. */
export declare function pinThreadedFactorySource(code: string): string | null;
/** Keeps tfjs-backend-wasm's threaded helpers working in a minified build. */
export declare function wasmThreadsPlugin(): Plugin;
