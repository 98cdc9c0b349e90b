/**
 * The 3×3 convolution kernels as built by build/conv3x3-kernels-plugin.mjs (a Vite plugin, in
 * the app's, the workers' and the tests' plugin lists). Only conv3x3-kernels.ts imports it.
 */
declare module 'virtual:conv3x3-kernels' {
  /**
   * URL of each module variant: relaxed SIMD or SIMD128, importing a non-shared memory (the
   * single-thread tfjs binaries) or a shared one (the threaded binary). Hashed asset URLs in a
   * browser build, `data:` URLs in Node.
   */
  export const KERNEL_MODULE_URLS: Readonly<
    Record<'relaxed' | 'simd128' | 'relaxed-shared' | 'simd128-shared', string>
  >;
  /** Tiny modules for WebAssembly.validate: one SIMD128 and one relaxed-SIMD instruction. */
  export const FEATURE_PROBES: Readonly<Record<'simd128' | 'relaxed', Uint8Array<ArrayBuffer>>>;
}
