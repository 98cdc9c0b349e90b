/**
 * Module worker entry: runs the training engine off the main thread, with checkpoints in this
 * origin's IndexedDB (workers have it too). Started by training-session.ts; it lives until the
 * next training run or the session's dispose(), and answers evaluate/predict requests in
 * between. It lives in app/ because it composes two layers: the engine and browser storage.
 */
import { createCheckpointStore } from '../storage/checkpoint-store';
import { createTrainingEngine } from '../training/engine';
import { loseWebglContext } from '../training/run-interruption';
import type { MainToWorkerMessage, WorkerToMainMessage } from '../training/worker-protocol';

/** The parts of DedicatedWorkerGlobalScope used here (tsconfig has the DOM lib, not WebWorker). */
interface WorkerScope {
  postMessage(message: WorkerToMainMessage, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<MainToWorkerMessage>) => void) | null;
  /** For developer tools and tests: lose tfjs's WebGL context as a GPU reset would. */
  loseWebglContext?: () => boolean;
}

const scope = self as unknown as WorkerScope;

const engine = createTrainingEngine(
  'worker',
  (message: WorkerToMainMessage, transfer = []) => scope.postMessage(message, transfer),
  { createCheckpointStore },
);

scope.loseWebglContext = loseWebglContext;

/** Holds the liveness lock until this worker ends (see worker-protocol.ts). */
function holdLivenessLock(lockName: string): void {
  const locks = (navigator as Partial<Navigator>).locks;
  if (!locks) return;
  void locks.request(lockName, () => {
    scope.postMessage({ kind: 'liveness-lock-held', lockName }, []);
    return new Promise<void>(() => undefined);
  });
}

scope.onmessage = (event: MessageEvent<MainToWorkerMessage>) => {
  const message = event.data;
  switch (message.kind) {
    case 'hold-liveness-lock':
      holdLivenessLock(message.lockName);
      break;
    case 'start':
      void engine.run(message);
      break;
    case 'pause':
    case 'unpause':
    case 'stop':
      engine[message.kind]();
      break;
    case 'evaluate':
    case 'predict':
      // Not awaited: a request may arrive mid-run and is answered between training steps.
      void engine.answer(message);
      break;
  }
};
