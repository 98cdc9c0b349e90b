/**
 * Runs kernel jobs on one thread or on a pool: the calling thread plus helper workers
 * (conv3x3-pool.worker.ts), each with its own instance of the kernel module on the same
 * shared memory, tfjs-backend-wasm's threaded heap. One postMessage per helper at start;
 * after that a job crosses through a control block on a SharedArrayBuffer and Atomics
 * (conv3x3-pool-shared.ts), in microseconds.
 *
 * The caller works on every job itself and waits only for images a helper has taken: with
 * `Atomics.wait` where the platform allows it (workers: the app trains in one), by spinning
 * where it does not (a page's main thread), as tfjs-backend-wasm's own threads do. tfjs's
 * pthreads are idle while our synchronous kernels run, so N threads mean N busy cores.
 */
import { errorMessage } from '../../shared/errors';
import type { Conv3x3Exports } from './conv3x3-kernels';
import {
  finishFilterGradient,
  runPart,
  unitsOf,
  wholeJobDealer,
  type ConvJob,
} from './conv3x3-jobs';
import {
  CONTROL,
  createPoolDealer,
  dealWord,
  writeJob,
  type HelperMessage,
  type HelperStart,
} from './conv3x3-pool-shared';

/** Runs jobs to completion, synchronously, on up to `threads` threads. */
export interface KernelRunner {
  readonly threads: number;
  run(job: ConvJob): void;
  /** Images each thread has computed so far (the caller first), to see how work was shared. */
  imagesByThread(): number[];
  /** Stops the helpers (a pool is tied to one memory). */
  dispose(): void;
}

/** The most threads a pool runs (the control block's per-thread slots). */
export const MAX_POOL_THREADS = CONTROL.MAX_PARTS;

/** How long helpers may take to start before the pool is given up for one thread. */
export const HELPER_START_TIMEOUT_MS = 10_000;
/**
 * How long a job may wait for images a helper took. Jobs take milliseconds to a second; a
 * helper that has not finished after this long is gone, and waiting longer would hang training.
 */
const JOB_TIMEOUT_MS = 60_000;

/** Every job on the calling thread. */
export function singleThreadRunner(kernels: Conv3x3Exports): KernelRunner {
  let images = 0;
  return {
    threads: 1,
    run(job) {
      runPart(kernels, job, 0, wholeJobDealer(job));
      if (job.kind === 'filter-gradient') finishFilterGradient(kernels, job);
      images += job.shape.batch;
    },
    imagesByThread: () => [images],
    dispose() {},
  };
}

/** Whether this thread may block in Atomics.wait (workers yes, a page's main thread no). */
function canBlock(control: Int32Array): boolean {
  try {
    Atomics.wait(control, CONTROL.EXIT, 1, 0);
    return true;
  } catch {
    return false;
  }
}

function startHelper(start: HelperStart): Promise<Worker> {
  const worker = new Worker(new URL('./conv3x3-pool.worker.ts', import.meta.url), {
    type: 'module',
    name: `conv3x3 helper ${start.part}`,
  });
  return new Promise<Worker>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      worker.terminate();
      reject(new Error(`helper ${start.part}: ${why}`));
    };
    const timer = setTimeout(
      () => fail(`did not start within ${HELPER_START_TIMEOUT_MS / 1000} s`),
      HELPER_START_TIMEOUT_MS,
    );
    worker.onmessage = (event: MessageEvent<HelperMessage>) => {
      if (event.data.kind === 'failed') return fail(event.data.message);
      clearTimeout(timer);
      resolve(worker);
    };
    worker.onerror = (event) => fail(event.message || 'failed to load');
    worker.postMessage(start);
  });
}

/** Waits until all `units` units of the current job are computed. */
function waitForUnits(control: Int32Array, units: number, isBlockingAllowed: boolean): void {
  const deadline = performance.now() + JOB_TIMEOUT_MS;
  for (;;) {
    const completed = Atomics.load(control, CONTROL.COMPLETED);
    if (completed >= units) return;
    if (performance.now() > deadline) {
      throw new Error(
        `conv3x3 pool: ${units - completed} unit(s) of work still running after ${JOB_TIMEOUT_MS / 1000} s`,
      );
    }
    if (isBlockingAllowed) Atomics.wait(control, CONTROL.COMPLETED, completed, 1000);
  }
}

/**
 * A pool of the calling thread and `helpers` workers on the shared `memory`. Rejects when a
 * helper cannot start (the caller then runs on one thread and says why).
 */
export async function createPoolRunner(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  kernels: Conv3x3Exports,
  helpers: number,
): Promise<KernelRunner> {
  const threads = helpers + 1;
  if (threads > CONTROL.MAX_PARTS) throw new Error(`at most ${CONTROL.MAX_PARTS} threads`);
  const control = new Int32Array(new SharedArrayBuffer(CONTROL.LENGTH * 4));
  const deal = new BigInt64Array(new SharedArrayBuffer(8));
  const started = await Promise.allSettled(
    Array.from({ length: helpers }, (_, i) =>
      startHelper({ module, memory, control, deal, part: i + 1 }),
    ),
  );
  const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = started.find((s) => s.status === 'rejected');
  if (failure) {
    for (const worker of workers) worker.terminate();
    throw new Error(errorMessage(failure.reason));
  }
  const isBlockingAllowed = canBlock(control);
  const run = (job: ConvJob) => {
    const units = unitsOf(job).count;
    const generation = control[CONTROL.GENERATION] + 1;
    // The deal moves to the new generation first: a helper still reading the last job, or
    // this one half-written, can no longer take images.
    Atomics.store(deal, 0, dealWord(generation, 0));
    writeJob(control, job);
    control[CONTROL.FAILED] = 0;
    Atomics.store(control, CONTROL.COMPLETED, 0);
    Atomics.store(control, CONTROL.GENERATION, generation);
    Atomics.notify(control, CONTROL.GENERATION);
    const dealer = createPoolDealer(control, deal, generation, 0, job);
    try {
      runPart(kernels, job, 0, dealer);
    } catch (error) {
      // Helpers may still be writing into this job's workspace: let them finish first.
      dealer.fail();
      waitForUnits(control, units, isBlockingAllowed);
      throw error;
    }
    waitForUnits(control, units, isBlockingAllowed);
    if (Atomics.load(control, CONTROL.FAILED) !== 0) {
      throw new Error('conv3x3 pool: a helper failed while running a job');
    }
    if (job.kind === 'filter-gradient') finishFilterGradient(kernels, job);
  };
  return {
    threads,
    run,
    imagesByThread: () =>
      Array.from({ length: threads }, (_, part) =>
        Atomics.load(control, CONTROL.IMAGES_BY_PART + part),
      ),
    dispose() {
      Atomics.store(control, CONTROL.EXIT, 1);
      Atomics.add(control, CONTROL.GENERATION, 1);
      Atomics.notify(control, CONTROL.GENERATION);
      for (const worker of workers) worker.terminate();
    },
  };
}
