/**
 * The page's training session: the engine in a module worker, or on this thread when no worker
 * can run, with checkpoints in this origin's IndexedDB either way.
 */
import type { CheckpointWriter } from '../training/checkpoint';
import { createTrainingSession } from '../training/training-client';
import type { TrainingSession, WorkerLike } from '../training/training-session-types';

function createTrainingWorker(): WorkerLike {
  if (typeof Worker === 'undefined') throw new Error('Worker is not available here');
  return new Worker(new URL('./training.worker.ts', import.meta.url), {
    type: 'module',
  }) as WorkerLike;
}

/** Checkpoint storage for the main-thread engine, loaded with its first write. */
const lazyCheckpointStore = (): CheckpointWriter => ({
  writeCheckpoint: (checkpoint) =>
    import('../storage/checkpoint-store').then((m) =>
      m.createCheckpointStore().writeCheckpoint(checkpoint),
    ),
});

export function createPageTrainingSession(preferWorker: boolean): TrainingSession {
  return createTrainingSession({
    preferWorker,
    createWorker: createTrainingWorker,
    engineOptions: { createCheckpointStore: lazyCheckpointStore },
  });
}
