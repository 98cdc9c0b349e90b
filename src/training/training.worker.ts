/**
 * Module worker entry: runs the training engine off the main thread. Created by
 * training-main.ts with `new Worker(new URL('./training.worker.ts', import.meta.url),
 * { type: 'module' })`. It lives until the next training run or the session's dispose(), and
 * answers evaluate/predict requests in between.
 */
import { createTrainingEngine } from './engine';
import type { MainToWorkerMessage, WorkerToMainMessage } from './training-shared';

/** The parts of DedicatedWorkerGlobalScope used here (tsconfig has the DOM lib, not WebWorker). */
interface WorkerScope {
  postMessage(message: WorkerToMainMessage, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<MainToWorkerMessage>) => void) | null;
}

const scope = self as unknown as WorkerScope;

const engine = createTrainingEngine('worker', (message: WorkerToMainMessage, transfer = []) =>
  scope.postMessage(message, transfer),
);

scope.onmessage = (event: MessageEvent<MainToWorkerMessage>) => {
  const message = event.data;
  switch (message.kind) {
    case 'start':
      void engine.run(message);
      break;
    case 'pause':
      engine.pause();
      break;
    case 'resume':
      engine.resume();
      break;
    case 'stop':
      engine.stop();
      break;
    case 'evaluate':
    case 'predict':
      // Not awaited: a request may arrive mid-run and is answered between training steps.
      void engine.answer(message);
      break;
  }
};
