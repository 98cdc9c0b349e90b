/**
 * Module worker entry of a kernel pool helper (conv3x3-pool.ts). Receives the compiled kernel
 * module, the shared heap, the control block and the deal word once, instantiates the kernels
 * on that heap, then waits for jobs and takes images of each while any are left. Jobs come
 * through Atomics only; this worker never posts again after saying it is ready.
 */
import { errorMessage } from '../../shared/errors';
import { runPart } from './conv3x3-jobs';
import { instantiateKernels } from './conv3x3-kernels';
import {
  CONTROL,
  createPoolDealer,
  readJob,
  type HelperMessage,
  type HelperStart,
} from './conv3x3-pool-shared';

/** The parts of DedicatedWorkerGlobalScope used here (tsconfig has the DOM lib, not WebWorker). */
interface WorkerScope {
  postMessage(message: HelperMessage): void;
  onmessage: ((event: MessageEvent<HelperStart>) => void) | null;
}

const scope = self as unknown as WorkerScope;

function serve({ module, memory, control, deal, part }: HelperStart): void {
  const kernels = instantiateKernels(module, memory);
  // Read before saying ready, so a job posted right after 'ready' is not missed.
  let seen = Atomics.load(control, CONTROL.GENERATION);
  scope.postMessage({ kind: 'ready' });
  for (;;) {
    Atomics.wait(control, CONTROL.GENERATION, seen);
    if (Atomics.load(control, CONTROL.EXIT) !== 0) return;
    const generation = Atomics.load(control, CONTROL.GENERATION);
    seen = generation;
    // Possibly a job already over, or half-written: its dealer then hands out nothing.
    const job = readJob(control);
    const dealer = createPoolDealer(control, deal, generation, part, job);
    try {
      runPart(kernels, job, part, dealer);
    } catch {
      dealer.fail();
    }
  }
}

scope.onmessage = (event) => {
  scope.onmessage = null;
  try {
    serve(event.data);
  } catch (error) {
    scope.postMessage({ kind: 'failed', message: errorMessage(error) });
  }
};
