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
import { setConvGradientRewrite, setOneChannelIm2col } from './conv-gradient';
import { setWasmGradientRewrites } from './wasm-gradients';
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

/** Knobs for benchmarks and tests; the app uses the defaults. */
export interface InitBackendOptions {
  /**
   * WASM threads to ask for when threads are allowed and the page is cross-origin isolated.
   * Default: every logical core (tfjs's own default is half of them, one on a 2-core machine).
   */
  wasmThreadsCount?: number;
  /** How long the threaded WASM init may take before the single-thread binary replaces it. */
  wasmThreadedInitTimeoutMs?: number;
}

/**
 * How long the threaded WASM backend may take to initialise. A healthy init (fetch and compile
 * 0.4 MB of WASM, start the helper workers) took well under a second here; a broken one never
 * finishes (its helper workers die before reporting "loaded"), so this only bounds the wait.
 */
export const WASM_THREADED_INIT_TIMEOUT_MS = 10_000;

/** tfjs-backend-wasm registers itself with this priority; kept when re-registering. */
const WASM_BACKEND_PRIORITY = 2;

/** `promise`'s value, or `'timeout'` when it has not settled within `ms`. */
export async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  // tfjs-backend-wasm rejects with a plain `{ message }` object when emscripten aborts.
  if (typeof error === 'object' && error !== null && 'message' in error) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
}

/**
 * Makes `navigator.hardwareConcurrency` read `count` until the returned function is called.
 *
 * Why: tfjs-backend-wasm 4.22's C++ caps its XNNPACK thread pool at
 * `min(requested, 8, hardwareConcurrency / 2)` (it assumes two hyper-threads per core), with
 * the halved value taken by a static constructor when the module starts. On a 2-core machine
 * that is 1 whatever `setThreadsCount` asks, so the threaded binary ran a single thread.
 * Reporting twice the wanted count while the module starts lifts the cap to what we ask.
 */
function reportLogicalCores(count: number): () => void {
  const nav = globalThis.navigator as Navigator | undefined;
  if (nav === undefined) return () => {};
  const own = Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency');
  Object.defineProperty(nav, 'hardwareConcurrency', { value: count, configurable: true });
  return () => {
    if (own) Object.defineProperty(nav, 'hardwareConcurrency', own);
    else delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  };
}

/**
 * Initialises the threaded binary with `threadsCount` threads; when that fails or hangs, throws
 * the attempt away and initialises the single-thread SIMD binary instead. Returns why threads
 * are off, if they are.
 *
 * The wasm backend's factory reads WASM_HAS_MULTITHREAD_SUPPORT on every call, so re-registering
 * the same factory with the flag off selects the other binary; tfjs ignores the hung promise
 * if it ever settles (removeBackend makes it obsolete). Its helper workers stay behind, idle.
 */
async function initThreadedWasmOrFallBack(
  threadsCount: number,
  timeoutMs: number,
): Promise<string | undefined> {
  const factory = tf.findBackendFactory('wasm');
  tfWasm.setThreadsCount(threadsCount);
  const restoreCores = reportLogicalCores(2 * threadsCount);
  let why: string;
  try {
    const outcome = await settleWithin(tf.setBackend('wasm'), timeoutMs);
    if (outcome === true) return undefined;
    why =
      outcome === 'timeout'
        ? `threaded init did not finish within ${timeoutMs / 1000} s`
        : 'tfjs could not initialise the threaded binary';
  } catch (error) {
    why = `threaded init failed: ${describeError(error)}`;
  } finally {
    restoreCores();
  }
  tf.removeBackend('wasm');
  if (factory !== null) tf.registerBackend('wasm', factory, WASM_BACKEND_PRIORITY);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!(await tf.setBackend('wasm'))) throw new Error(`${why}; single-thread init failed too`);
  return why;
}

async function tryWasm(request: BackendRequest, options: InitBackendOptions): Promise<Attempt> {
  setWasmPathsOnce();
  const canUseThreads =
    request.allowWasmThreads === true && globalThis.crossOriginIsolated === true;
  let threadsOffBecause: string | undefined;
  try {
    if (canUseThreads) {
      const cores = Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1);
      threadsOffBecause = await initThreadedWasmOrFallBack(
        options.wasmThreadsCount ?? cores,
        options.wasmThreadedInitTimeoutMs ?? WASM_THREADED_INIT_TIMEOUT_MS,
      );
    } else {
      // The flag is read at init: turning it off selects the SIMD (or plain) binary.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      threadsOffBecause = request.allowWasmThreads
        ? 'page not cross-origin isolated'
        : 'threads off';
      if (!(await tf.setBackend('wasm'))) {
        return { ok: false, why: 'WASM: tfjs could not initialise the wasm backend' };
      }
    }
  } catch (error) {
    return { ok: false, why: `WASM: ${describeError(error)}` };
  }
  const wasmSimd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const wasmThreads = tfWasm.getThreadsCount();
  const threadsNote = threadsOffBecause === undefined ? '' : ` (${threadsOffBecause})`;
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

function tryBackend(
  name: BackendName,
  request: BackendRequest,
  options: InitBackendOptions,
): Promise<Attempt> {
  switch (name) {
    case 'webgl':
      return tryWebgl(request);
    case 'wasm':
      return tryWasm(request, options);
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
      reason: `${chosenBy}: ${attempt.note}${because}`,
      ...attempt.details,
    };
  }
  throw new Error(`No tfjs backend could be initialised: ${skipped.join('; ')}`);
}
