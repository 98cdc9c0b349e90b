/**
 * The one module that chooses and initialises the tfjs backend, in a module worker or on the
 * main thread. Order for `auto`: WebGL on a hardware renderer → WASM (SIMD) → tfjs `cpu`.
 * An explicit preference is honoured when possible and otherwise falls back along the same
 * order, with `reason` saying why. See docs/backends.md.
 *
 * Call it before any other tfjs op: tfjs evaluates its WebGL flags (including whether a
 * software renderer is acceptable) once, on first use.
 *
 * This is also the only importer of @tensorflow/tfjs-backend-wasm.
 */
import * as tf from '@tensorflow/tfjs';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { setConvGradientRewrite } from './conv-gradient';
import type { BackendInfo, BackendName, BackendRequest } from './training-protocol';

/**
 * Whether the conv2d-only Conv2D gradient is installed on each backend by default.
 * - wasm: required; tfjs-backend-wasm has no Conv2DBackpropFilter kernel, so stock training of
 *   any convolution throws "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'".
 * - cpu: measured in Node (docs/backends.md): a seed-CNN batch of 64 takes 36 s instead of 806 s.
 * - webgl: a prototype measured 2.8× faster on SwiftShader; to be confirmed on real GPUs by the
 *   browser benchmark, which flips it with `BackendRequest.convGradientRewrite`.
 */
export const DEFAULT_CONV_GRADIENT_REWRITE: Readonly<Record<BackendName, boolean>> = {
  webgl: true,
  wasm: true,
  cpu: true,
};

/** Renderer strings of software WebGL implementations (Chromium's SwiftShader, Mesa's llvmpipe). */
const SOFTWARE_RENDERER_PATTERN = /swiftshader|llvmpipe|softpipe|software|basic render/i;

/** Fallback order after each preference; `auto` starts at WebGL. */
const FALLBACK_ORDER: Readonly<Record<BackendRequest['preference'], readonly BackendName[]>> = {
  auto: ['webgl', 'wasm', 'cpu'],
  webgl: ['webgl', 'wasm', 'cpu'],
  wasm: ['wasm', 'cpu'],
  cpu: ['cpu'],
};

/** What a throwaway WebGL context says about the renderer tfjs would get. */
export interface WebglProbe {
  /** UNMASKED_RENDERER_WEBGL where the browser exposes it, else RENDERER; unset without WebGL. */
  renderer?: string;
  isSoftwareRenderer: boolean;
  /** Why there is no WebGL at all, when there is none. */
  unavailableReason?: string;
}

type Attempt =
  { ok: true; details: Partial<BackendInfo>; note: string } | { ok: false; why: string };

/** Whether a renderer string names a software rasteriser. */
export function isSoftwareRendererName(renderer: string): boolean {
  return SOFTWARE_RENDERER_PATTERN.test(renderer);
}

type ProbeCanvas = OffscreenCanvas | HTMLCanvasElement;

/** OffscreenCanvas (workers, and what tfjs itself uses for WebGL 2), else a DOM canvas. */
function createProbeCanvas(): ProbeCanvas | null {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(1, 1);
  if (typeof document !== 'undefined') return document.createElement('canvas');
  return null;
}

function getProbeContext(
  canvas: ProbeCanvas,
  attributes: WebGLContextAttributes,
): WebGLRenderingContext | WebGL2RenderingContext | null {
  // The two canvas types have different getContext overloads; both accept these ids.
  const getContext = canvas.getContext.bind(canvas) as (
    id: 'webgl2' | 'webgl',
    attrs: WebGLContextAttributes,
  ) => WebGLRenderingContext | WebGL2RenderingContext | null;
  return getContext('webgl2', attributes) ?? getContext('webgl', attributes);
}

export function readRendererString(gl: WebGLRenderingContext | WebGL2RenderingContext): string {
  const debugInfo = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer: unknown = debugInfo
    ? gl.getParameter(debugInfo.UNMASKED_RENDERER_WEBGL)
    : gl.getParameter(gl.RENDERER);
  return typeof renderer === 'string' ? renderer : String(renderer);
}

/**
 * Reads the renderer from throwaway contexts and releases them. A context refused with
 * `failIfMajorPerformanceCaveat` (what tfjs asks for by default) also counts as software.
 */
export function probeWebgl(): WebglProbe {
  const canvas = createProbeCanvas();
  if (canvas === null) {
    return { isSoftwareRenderer: false, unavailableReason: 'no OffscreenCanvas or document' };
  }
  try {
    const gl = getProbeContext(canvas, { failIfMajorPerformanceCaveat: false });
    if (gl === null) return { isSoftwareRenderer: false, unavailableReason: 'no WebGL context' };
    const renderer = readRendererString(gl);
    gl.getExtension('WEBGL_lose_context')?.loseContext();

    // A canvas holds one context type for life, so the caveat check needs a fresh canvas.
    const strictCanvas = createProbeCanvas();
    const strict =
      strictCanvas && getProbeContext(strictCanvas, { failIfMajorPerformanceCaveat: true });
    strict?.getExtension('WEBGL_lose_context')?.loseContext();
    return { renderer, isSoftwareRenderer: isSoftwareRendererName(renderer) || !strict };
  } catch (error) {
    return { isSoftwareRenderer: false, unavailableReason: `WebGL probe failed: ${String(error)}` };
  }
}

/** tfjs's own WebGL context, when the webgl backend is active (not part of tfjs's typings). */
function activeWebglContext(): WebGLRenderingContext | WebGL2RenderingContext | undefined {
  const backend = tf.backend() as unknown as {
    gpgpu?: { gl?: WebGLRenderingContext | WebGL2RenderingContext };
  };
  return backend.gpgpu?.gl;
}

/** Whether setWasmPaths was called; tfjs-backend-wasm throws if it is called after init. */
let areWasmPathsSet = false;

function setWasmPathsOnce(): void {
  if (areWasmPathsSet) return;
  areWasmPathsSet = true;
  // In Node the backend reads the .wasm files next to its own dist/ through fs; the Vite URLs
  // are only meaningful to a browser.
  if (tf.env().getBool('IS_NODE')) return;
  tfWasm.setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlainUrl,
    'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
  });
}

async function tryWebgl(request: BackendRequest): Promise<Attempt> {
  if (tf.findBackendFactory('webgl') === null) {
    return { ok: false, why: 'WebGL: tfjs registers its webgl backend only in browsers' };
  }
  const probe = probeWebgl();
  if (probe.unavailableReason !== undefined) {
    return { ok: false, why: `WebGL: ${probe.unavailableReason}` };
  }
  if (probe.isSoftwareRenderer) {
    if (!request.allowSoftwareWebgl) {
      return {
        ok: false,
        why: `WebGL: renderer "${probe.renderer}" is software and software WebGL is not allowed`,
      };
    }
    // Without it tfjs asks for failIfMajorPerformanceCaveat and gets no context at all.
    tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
  }
  if (!(await tf.setBackend('webgl'))) {
    return { ok: false, why: `WebGL: tfjs could not initialise on renderer "${probe.renderer}"` };
  }
  const gl = activeWebglContext();
  const renderer = gl ? readRendererString(gl) : probe.renderer;
  const isSoftwareRenderer = probe.isSoftwareRenderer || isSoftwareRendererName(renderer ?? '');
  return {
    ok: true,
    details: { renderer, isSoftwareRenderer },
    note: `WebGL on ${isSoftwareRenderer ? 'software' : 'hardware'} renderer "${renderer}"`,
  };
}

async function tryWasm(request: BackendRequest): Promise<Attempt> {
  setWasmPathsOnce();
  const canUseThreads =
    request.allowWasmThreads === true && globalThis.crossOriginIsolated === true;
  // The flag is read once, at init: turning it off selects the SIMD (or plain) binary.
  if (!canUseThreads) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  // tfjs-backend-wasm defaults to half the logical cores (at most 4): one thread on a
  // 2-core machine, which is why threads never seemed to engage. Ask for every core.
  else tfWasm.setThreadsCount(Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1));
  try {
    if (!(await tf.setBackend('wasm'))) {
      return { ok: false, why: 'WASM: tfjs could not initialise the wasm backend' };
    }
  } catch (error) {
    return { ok: false, why: `WASM: ${error instanceof Error ? error.message : String(error)}` };
  }
  const wasmSimd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const wasmThreads = tfWasm.getThreadsCount();
  const threadsNote = canUseThreads ? '' : ' (threads off)';
  return {
    ok: true,
    details: { wasmSimd, wasmThreads },
    note: `WASM${wasmSimd ? ' SIMD' : ''}, ${wasmThreads} thread(s)${threadsNote}`,
  };
}

async function tryCpu(): Promise<Attempt> {
  if (!(await tf.setBackend('cpu'))) return { ok: false, why: 'cpu: tfjs could not initialise' };
  return { ok: true, details: {}, note: 'tfjs cpu backend' };
}

function tryBackend(name: BackendName, request: BackendRequest): Promise<Attempt> {
  switch (name) {
    case 'webgl':
      return tryWebgl(request);
    case 'wasm':
      return tryWasm(request);
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
 * Chooses, initialises and activates a tfjs backend, and applies the conv-gradient policy.
 * Throws only when not even tfjs's cpu backend initialises.
 */
export async function initBackend(
  request: BackendRequest,
  path: 'worker' | 'main-thread',
): Promise<BackendInfo> {
  const skipped: string[] = [];
  for (const name of FALLBACK_ORDER[request.preference]) {
    const attempt = await tryBackend(name, request);
    if (!attempt.ok) {
      skipped.push(attempt.why);
      continue;
    }
    const convGradientRewrite = applyConvGradientPolicy(name, request.convGradientRewrite);
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
      reason: `${chosenBy}: ${attempt.note}${because}`,
      ...attempt.details,
    };
  }
  throw new Error(`No tfjs backend could be initialised: ${skipped.join('; ')}`);
}
