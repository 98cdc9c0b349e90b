/**
 * Module worker entry of a kernel pool helper (conv3x3-pool.ts). Receives the compiled kernel
 * module, the shared heap and the control block once, instantiates the kernels on that heap,
 * then waits for jobs on the control block and runs its part of each. Jobs come through
 * Atomics only; this worker never posts again after saying it is ready.
 */
import { errorMessage } from '../../shared/errors';
import { instantiateKernels } from './conv3x3-kernels';
import {
  CONTROL,
  readJob,
  runPart,
  sharedImageDealer,
  type HelperMessage,
  type HelperStart,
} from './conv3x3-pool-shared';

/** The parts of DedicatedWorkerGlobalScope used here (tsconfig has the DOM lib, not WebWorker). */
interface WorkerScope {
  postMessage(message: HelperMessage): void;
  onmessage: ((event: MessageEvent<HelperStart>) => void) | null;
}

const scope = self as unknown as WorkerScope;

function serve({ module, memory, control, part }: HelperStart): void {
  const kernels = instantiateKernels(module, memory);
  // Read before saying ready, so a job posted right after 'ready' is not missed.
  let seen = Atomics.load(control, CONTROL.GENERATION);
  scope.postMessage({ kind: 'ready' });
  for (;;) {
    Atomics.wait(control, CONTROL.GENERATION, seen);
    seen = Atomics.load(control, CONTROL.GENERATION);
    if (Atomics.load(control, CONTROL.EXIT) !== 0) return;
    try {
      const job = readJob(control);
      runPart(kernels, job, part, sharedImageDealer(control, job.shape.batch));
    } catch {
      Atomics.store(control, CONTROL.FAILED, 1);
    }
    if (Atomics.sub(control, CONTROL.PENDING, 1) === 1) Atomics.notify(control, CONTROL.PENDING);
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
