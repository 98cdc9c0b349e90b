/**
 * Whether our 3×3 convolution kernels run, in which SIMD flavour and on how many threads: the
 * policy backend.ts applies every time it picks a backend (kernels are installed for wasm and
 * uninstalled otherwise, like the gradient rewrites).
 */
import { errorMessage } from '../../shared/errors';
import type { BackendName, WasmConvKernelChoice, WasmConvKernelInfo } from '../run-types';
import { canRunFlavour, type SimdFlavour } from './conv3x3-kernels';
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
