/**
 * How the backend line names the convolution kernels that run on WASM. Plain text from plain
 * data (no tfjs), so the page's first screen can show it without loading the engine.
 */
import type { WasmConvKernelInfo } from '../run-types';

/** "own relaxed-SIMD kernels, 2 threads", or tfjs's own when ours do not run. */
export function describeConvKernels(info: WasmConvKernelInfo | undefined): string {
  if (info === undefined) return "tfjs's own (XNNPACK)";
  const flavour = info.flavour === 'relaxed' ? 'relaxed-SIMD' : 'SIMD128';
  return `own ${flavour} kernels, ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
}
