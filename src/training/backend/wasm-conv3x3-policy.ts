/**
 * Whether our 3×3 convolution kernels run, in which SIMD flavour and on how many threads: the
 * policy backend.ts applies every time it picks a backend (kernels are installed for wasm and
 * uninstalled otherwise, like the gradient rewrites).
 */
import { errorMessage } from '../../shared/errors';
import type {
  BackendName,
  BackendRequest,
  WasmConvKernelChoice,
  WasmConvKernelInfo,
} from '../run-types';
import { canRunFlavour, type SimdFlavour } from './conv3x3-kernels';
import type { InitBackendOptions } from './wasm';
import { installWasmConv3x3, uninstallWasmConv3x3 } from './wasm-conv3x3';
import { describeConvKernels } from './wasm-conv3x3-label';

/** The flavour to run, or null for tfjs's own kernels, and why not the one asked for. */
export interface FlavourChoice {
  flavour: SimdFlavour | null;
  why?: string;
}

/**
 * `auto` and `relaxed`: relaxed SIMD where the runtime validates it, else SIMD128; `simd128`:
 * SIMD128; either falls back to tfjs's own kernels without WASM SIMD; `off`: tfjs's own.
 */
export function chooseSimdFlavour(
  choice: WasmConvKernelChoice,
  canRun: (flavour: SimdFlavour) => boolean,
): FlavourChoice {
  if (choice === 'off') return { flavour: null, why: 'off' };
  if (choice !== 'simd128' && canRun('relaxed')) return { flavour: 'relaxed' };
  const why = choice === 'relaxed' ? 'relaxed SIMD not available' : undefined;
  if (canRun('simd128')) return { flavour: 'simd128', ...(why ? { why } : {}) };
  return { flavour: null, why: 'no WASM SIMD' };
}

/**
 * How the cores are shared on wasm, as options for initBackend (explicit options win). When
 * our kernels will run and threads are possible (the page cross-origin isolated, so the
 * threaded binary's heap is shared), every core goes to our kernels and tfjs's XNNPACK keeps
 * one thread: pthreadpool's idle threads spin for up to a million iterations after each of its
 * parallel ops, on the very cores our helpers then need. Measured on a loaded machine, ours on
 * 2 threads with tfjs on 2 ran slower than ours on 1; with tfjs on 1 it ran fastest
 * (BENCHMARKS.md). Otherwise tfjs keeps its default (every core) and ours follow it.
 */
export function planWasmThreads(
  request: BackendRequest,
  options: InitBackendOptions,
): InitBackendOptions {
  const cores = Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1);
  const canUseThreads =
    request.allowWasmThreads === true && globalThis.crossOriginIsolated === true;
  const { flavour } = chooseSimdFlavour(request.wasmConvKernels ?? 'auto', canRunFlavour);
  const convKernelThreads = options.wasmConvKernelThreads ?? cores;
  if (!canUseThreads || flavour === null || convKernelThreads <= 1) return options;
  return {
    ...options,
    wasmThreadsCount: options.wasmThreadsCount ?? 1,
    wasmConvKernelThreads: convKernelThreads,
  };
}

/**
 * Installs our kernels on wasm as `choice` says, on `threads` threads, or uninstalls them
 * (any other backend, `off`, no SIMD, or a failure, which leaves training on tfjs's own
 * kernels). Returns what runs and a note for BackendInfo.reason.
 */
export async function applyWasmConvKernelPolicy(
  backendName: BackendName,
  choice: WasmConvKernelChoice,
  threads: number,
): Promise<{ info?: WasmConvKernelInfo; note: string }> {
  if (backendName !== 'wasm') {
    uninstallWasmConv3x3();
    return { note: '' };
  }
  const { flavour, why } = chooseSimdFlavour(choice, canRunFlavour);
  const because = (reason: string | undefined) => (reason ? ` (${reason})` : '');
  if (flavour === null) {
    uninstallWasmConv3x3();
    return { note: `; convolutions: ${describeConvKernels(undefined)}${because(why)}` };
  }
  try {
    const status = await installWasmConv3x3(flavour, threads);
    const info: WasmConvKernelInfo = { flavour: status.flavour, threads: status.threads };
    const reasons = [why, status.threadsNote].filter((r): r is string => r !== undefined);
    return {
      info,
      note: `; convolutions: ${describeConvKernels(info)}${because(reasons.join('; '))}`,
    };
  } catch (error) {
    uninstallWasmConv3x3();
    return {
      note: `; convolutions: ${describeConvKernels(undefined)} (ours failed: ${errorMessage(error)})`,
    };
  }
}
