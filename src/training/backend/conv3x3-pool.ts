/**
 * Runs kernel jobs on one thread or on a pool: the calling thread plus helper workers
 * (conv3x3-pool.worker.ts), each with its own instance of the kernel module on the same
 * shared memory, tfjs-backend-wasm's threaded heap. Jobs cross through a control block on a
 * SharedArrayBuffer (conv3x3-pool-shared.ts): one postMessage per helper at start, Atomics
 * after that, so a job costs microseconds to hand out.
 *
 * The caller computes a part itself and then waits for the helpers with `Atomics.wait` where
 * the platform allows it (workers: the app trains in one) and by spinning where it does not
 * (a page's main thread), as tfjs-backend-wasm's own threads do. tfjs's pthreads are idle
 * while our synchronous kernels run, so N threads mean N busy cores.
 */
import { errorMessage } from '../../shared/errors';
import type { Conv3x3Exports } from './conv3x3-kernels';
import {
  CONTROL,
  runPart,
  sharedImageDealer,
  writeJob,
  type ConvJob,
  type HelperMessage,
  type HelperStart,
} from './conv3x3-pool-shared';

/** Runs jobs to completion, synchronously, on `threads` threads. */
export interface KernelRunner {
  readonly threads: number;
  run(job: ConvJob): void;
  /** Stops the helpers (a pool is tied to one memory). */
  dispose(): void;
}

/** How long helpers may take to start before the pool is given up for one thread. */
export const HELPER_START_TIMEOUT_MS = 10_000;
/**
 * How long a job may wait for its helpers. Jobs take milliseconds to a second; a helper that
 * has not answered after this long is gone, and waiting longer would hang training.
 */
const JOB_TIMEOUT_MS = 60_000;
/** Chunks of images per thread in a forward job: more balance, fewer grabs. */
const GRABS_PER_THREAD = 4;

/** Every job on the calling thread. */
export function singleThreadRunner(kernels: Conv3x3Exports): KernelRunner {
  return {
    threads: 1,
    run(job) {
      let isDealt = false;
      runPart(kernels, job, 0, () => {
        if (isDealt) return null;
        isDealt = true;
        return { first: 0, count: job.shape.batch };
      });
    },
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
    const timer = setTimeout(() => {
      worker.terminate();
      reject(
        new Error(`helper ${start.part} did not start within ${HELPER_START_TIMEOUT_MS / 1000} s`),
      );
    }, HELPER_START_TIMEOUT_MS);
    worker.onmessage = (event: MessageEvent<HelperMessage>) => {
      clearTimeout(timer);
      if (event.data.kind === 'ready') resolve(worker);
      else {
        worker.terminate();
        reject(new Error(`helper ${start.part}: ${event.data.message}`));
      }
    };
    worker.onerror = (event) => {
      clearTimeout(timer);
      worker.terminate();
      reject(new Error(`helper ${start.part}: ${event.message || 'failed to load'}`));
    };
    worker.postMessage(start);
  });
}

/** Waits until every helper has finished the current job. */
function waitForHelpers(control: Int32Array, isBlockingAllowed: boolean): void {
  const deadline = performance.now() + JOB_TIMEOUT_MS;
  for (;;) {
    const pending = Atomics.load(control, CONTROL.PENDING);
    if (pending === 0) return;
    if (performance.now() > deadline) {
      throw new Error(
        `conv3x3 pool: ${pending} helper(s) did not finish a job within ${JOB_TIMEOUT_MS / 1000} s`,
      );
    }
    if (isBlockingAllowed) Atomics.wait(control, CONTROL.PENDING, pending, 1000);
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
  const control = new Int32Array(
    new SharedArrayBuffer(CONTROL.LENGTH * Int32Array.BYTES_PER_ELEMENT),
  );
  const started = await Promise.allSettled(
    Array.from({ length: helpers }, (_, i) =>
      startHelper({ module, memory, control, part: i + 1 }),
    ),
  );
  const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = started.find((s) => s.status === 'rejected');
  if (failure) {
    for (const worker of workers) worker.terminate();
    throw new Error(errorMessage(failure.reason));
  }
  const threads = helpers + 1;
  const isBlockingAllowed = canBlock(control);
  return {
    threads,
    run(job) {
      writeJob(control, job);
      control[CONTROL.FAILED] = 0;
      control[CONTROL.IMAGES_PER_GRAB] = Math.max(
        1,
        Math.floor(job.shape.batch / (GRABS_PER_THREAD * threads)),
      );
      Atomics.store(control, CONTROL.NEXT_IMAGE, 0);
      Atomics.store(control, CONTROL.PENDING, helpers);
      Atomics.add(control, CONTROL.GENERATION, 1);
      Atomics.notify(control, CONTROL.GENERATION);
      runPart(kernels, job, 0, sharedImageDealer(control, job.shape.batch));
      waitForHelpers(control, isBlockingAllowed);
      if (Atomics.load(control, CONTROL.FAILED) !== 0) {
        throw new Error('conv3x3 pool: a helper failed while running a job');
      }
    },
    dispose() {
      Atomics.store(control, CONTROL.EXIT, 1);
      Atomics.add(control, CONTROL.GENERATION, 1);
      Atomics.notify(control, CONTROL.GENERATION);
      for (const worker of workers) worker.terminate();
    },
  };
}
