/**
 * Options read from the page URL, for tests and power users:
 *   ?backend=auto|webgl|wasm|cpu   preferred training backend
 *   ?softwareWebgl=1               allow a software WebGL renderer (SwiftShader)
 *   ?worker=0                      train on the main thread instead of in a Web Worker
 *   ?charts=0                      no live curves (the benchmark measures what they cost)
 *   ?wasmThreads=0                 keep WASM on one thread (default: threads, one per core,
 *                                  when the page is cross-origin isolated)
 *   ?wasmConvKernels=off|simd128|relaxed|auto   which 3×3 convolution kernels train on WASM
 *                                  (BackendRequest.wasmConvKernels; the benchmark compares them
 *                                  in the tab as a user runs it); anything else is `auto`
 */
import type { BackendPreference, WasmConvKernelChoice } from '../training/run-types';

export interface UrlOptions {
  backend: BackendPreference;
  allowSoftwareWebgl: boolean;
  preferWorker: boolean;
  showCharts: boolean;
  allowWasmThreads: boolean;
  wasmConvKernels: WasmConvKernelChoice;
}

const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'webgl', 'wasm', 'cpu'];
const CONV_KERNEL_CHOICES: readonly WasmConvKernelChoice[] = ['auto', 'relaxed', 'simd128', 'off'];

export function readUrlOptions(search: string): UrlOptions {
  const params = new URLSearchParams(search);
  const backend = params.get('backend') ?? 'auto';
  const convKernels = params.get('wasmConvKernels') ?? 'auto';
  const flag = (name: string, fallback: boolean): boolean => {
    const value = params.get(name);
    if (value === null) return fallback;
    return value === '1' || value === 'true';
  };
  return {
    backend: (BACKEND_PREFERENCES as readonly string[]).includes(backend)
      ? (backend as BackendPreference)
      : 'auto',
    allowSoftwareWebgl: flag('softwareWebgl', false),
    preferWorker: flag('worker', true),
    showCharts: flag('charts', true),
    allowWasmThreads: flag('wasmThreads', true),
    wasmConvKernels: (CONV_KERNEL_CHOICES as readonly string[]).includes(convKernels)
      ? (convKernels as WasmConvKernelChoice)
      : 'auto',
  };
}
