/**
 * How the backend line names the convolution kernels that run on WASM. Plain text from plain
 * data (no tfjs), so the page's first screen can show it without loading the engine.
 */
import type { WasmConvKernelInfo } from '../run-types';

/**
 * What stays with tfjs while ours run: the forward pass of a layer with one input channel,
 * which is every architecture's first layer (conv3x3-geometry.ts, isForwardOurs).
 */
export const XNNPACK_PART = "first layer's forward on tfjs's XNNPACK";

/**
 * "own relaxed-SIMD kernels, 2 threads (first layer's forward on tfjs's XNNPACK)", or tfjs's
 * own when ours do not run.
 */
export function describeConvKernels(info: WasmConvKernelInfo | undefined): string {
  if (info === undefined) return "tfjs's own (XNNPACK)";
  const flavour = info.flavour === 'relaxed' ? 'relaxed-SIMD' : 'SIMD128';
  const threads = `${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  return `own ${flavour} kernels, ${threads} (${XNNPACK_PART})`;
}
