/**
 * The one module that chooses and initialises the tfjs backend, in a module worker or on the
 * main thread. Order for `auto`: WebGL on a hardware renderer → WASM (SIMD) → tfjs `cpu`.
 * An explicit preference is honoured when possible and otherwise falls back along the same
 * order, with `reason` saying why. See docs/backends.md.
 *
 * Call it before any other tfjs op: tfjs evaluates its WebGL flags (including whether a
 * software renderer is acceptable) once, on first use.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendInfo, BackendName, BackendRequest } from '../run-types';
import type { Attempt } from './attempt';
import { setConvGradientRewrite, setOneChannelIm2col } from './conv-gradient';
import { tryWasm, type InitBackendOptions } from './wasm';
import { applyWasmConvKernelPolicy, planWasmThreads } from './wasm-conv3x3-policy';
import { setWasmGradientRewrites } from './wasm-gradients';
import { tryWebgl } from './webgl';

/**
 * Whether the conv2d-only Conv2D gradient is installed on each backend by default.
 * - wasm: required; tfjs-backend-wasm has no Conv2DBackpropFilter kernel, so stock training of
 *   any convolution throws "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'".
 * - cpu: over twenty times faster than tfjs's own gradient in Node (docs/backends.md).
 * - webgl: faster on SwiftShader; the browser benchmark flips it with
 *   `BackendRequest.convGradientRewrite` to compare on real GPUs.
 */
export const DEFAULT_CONV_GRADIENT_REWRITE: Readonly<Record<BackendName, boolean>> = {
  webgl: true,
  wasm: true,
  cpu: true,
};
/** Fallback order after each preference; `auto` starts at WebGL. */
const FALLBACK_ORDER: Readonly<Record<BackendRequest['preference'], readonly BackendName[]>> = {
  auto: ['webgl', 'wasm', 'cpu'],
  webgl: ['webgl', 'wasm', 'cpu'],
  wasm: ['wasm', 'cpu'],
  cpu: ['cpu'],
};

async function tryCpu(): Promise<Attempt> {
  if (!(await tf.setBackend('cpu'))) return { ok: false, why: 'cpu: tfjs could not initialise' };
  return { ok: true, details: {}, note: 'tfjs cpu backend' };
}

function tryBackend(
  name: BackendName,
  request: BackendRequest,
  options: InitBackendOptions,
): Promise<Attempt> {
  switch (name) {
    case 'webgl':
      return tryWebgl(request);
    case 'wasm':
      return tryWasm(request, planWasmThreads(request, options));
    case 'cpu':
      return tryCpu();
  }
}

/**
 * Decides whether the conv2d-only Conv2D gradient is used on this backend, installs or
 * uninstalls it accordingly (tfjs's gradient registry is global), and returns the choice.
 * `override` replaces the default except on wasm, where the stock gradient cannot train.
 */
export function applyConvGradientPolicy(backendName: BackendName, override?: boolean): boolean {
  const isEnabled =
    backendName === 'wasm' ? true : (override ?? DEFAULT_CONV_GRADIENT_REWRITE[backendName]);
  setConvGradientRewrite(isEnabled);
  return isEnabled;
}

/**
 * Chooses, initialises and activates a tfjs backend, and applies the gradient policies.
 * Throws only when not even tfjs's cpu backend initialises.
 */
export async function initBackend(
  request: BackendRequest,
  path: 'worker' | 'main-thread',
  options: InitBackendOptions = {},
): Promise<BackendInfo> {
  const skipped: string[] = [];
  for (const name of FALLBACK_ORDER[request.preference]) {
    const attempt = await tryBackend(name, request, options);
    if (!attempt.ok) {
      skipped.push(attempt.why);
      continue;
    }
    const convGradientRewrite = applyConvGradientPolicy(name, request.convGradientRewrite);
    const wasmGradientRewrites = request.wasmGradientRewrites ?? true;
    setWasmGradientRewrites(wasmGradientRewrites);
    setOneChannelIm2col(wasmGradientRewrites);
    const convKernels = await applyWasmConvKernelPolicy(
      name,
      request.wasmConvKernels ?? 'auto',
      planWasmThreads(request, options).wasmConvKernelThreads ?? attempt.details.wasmThreads ?? 1,
    );
    const chosenBy =
      request.preference === 'auto'
        ? 'auto'
        : request.preference === name
          ? 'requested'
          : `requested ${request.preference}, fell back`;
    const because = skipped.length > 0 ? ` because ${skipped.join('; ')}` : '';
    return {
      name,
      path,
      isSoftwareRenderer: false,
      convGradientRewrite,
      wasmGradientRewrites,
      ...(convKernels.info ? { wasmConvKernels: convKernels.info } : {}),
      reason: `${chosenBy}: ${attempt.note}${convKernels.note}${because}`,
      tfjsVersion: tf.version.tfjs,
      ...attempt.details,
    };
  }
  throw new Error(`No tfjs backend could be initialised: ${skipped.join('; ')}`);
}
