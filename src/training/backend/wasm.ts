/**
 * The WASM backend for training: its binaries, its threads, and the fallback to one thread
 * when the threaded binary fails. The only importer of @tensorflow/tfjs-backend-wasm. See
 * docs/backends.md.
 */
import * as tf from '@tensorflow/tfjs';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { errorMessage } from '../../shared/errors';
import type { BackendRequest } from '../run-types';
import type { Attempt } from './attempt';

/** Knobs for benchmarks and tests; the app uses the defaults. */
export interface InitBackendOptions {
  /**
   * WASM threads to ask for when threads are allowed and the page is cross-origin isolated.
   * Default: every logical core (tfjs's own default is half of them, one on a 2-core machine),
   * or one when our convolution kernels take the cores (wasm-conv3x3-policy.ts).
   */
  wasmThreadsCount?: number;
  /** How long the threaded WASM init may take before the single-thread binary replaces it. */
  wasmThreadedInitTimeoutMs?: number;
  /**
   * Threads for our 3×3 convolution kernels (wasm-conv3x3.ts). Default: every logical core
   * when the heap is shared (the threaded binary), else one.
   */
  wasmConvKernelThreads?: number;
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
    why = `threaded init failed: ${errorMessage(error)}`;
  } finally {
    restoreCores();
  }
  tf.removeBackend('wasm');
  if (factory !== null) tf.registerBackend('wasm', factory, WASM_BACKEND_PRIORITY);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!(await tf.setBackend('wasm'))) throw new Error(`${why}; single-thread init failed too`);
  return why;
}

export async function tryWasm(
  request: BackendRequest,
  options: InitBackendOptions,
): Promise<Attempt> {
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
    return { ok: false, why: `WASM: ${errorMessage(error)}` };
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
