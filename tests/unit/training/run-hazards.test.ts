/**
 * Runs cut short from outside, on real rows: a training worker that dies without an error event
 * (noticed through its liveness lock, with no timer), and losses that are no longer numbers
 * (the engine stops; nothing computed after is kept). Node has no Web Locks, so a small lock
 * manager with the same release-on-holder-end behaviour stands in for the browser's.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { createModel } from '../../../src/model/architectures';
import type { TrainingCheckpoint } from '../../../src/training/checkpoint';
import { createTrainingEngine } from '../../../src/training/engine';
import { createTrainingSession } from '../../../src/training/training-client';
import { SILENT_WORKER_DEATH, type WorkerLike } from '../../../src/training/training-session-types';
import type {
  MainToWorkerMessage,
  WorkerToMainMessage,
} from '../../../src/training/worker-protocol';
import { CPU_BACKEND_REQUEST, smallConv1Params, smallEngineData } from './real-data';

const DATA = smallEngineData();
const noWait = () => Promise.resolve();

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Web Locks as the browser keeps them: one holder per name, the next in line when it ends. */
function createLockManager() {
  const queues = new Map<string, (() => Promise<unknown>)[]>();
  const grantNext = (name: string) => {
    const queue = queues.get(name);
    const next = queue?.[0];
    if (!next) return;
    void next().finally(() => {
      queue.shift();
      grantNext(name);
    });
  };
  return {
    request(name: string, callback: () => unknown): Promise<unknown> {
      return new Promise((resolve) => {
        const queue = queues.get(name) ?? [];
        queues.set(name, queue);
        queue.push(() => Promise.resolve(callback()).then(resolve));
        if (queue.length === 1) grantNext(name);
      });
    },
  } as unknown as Pick<LockManager, 'request'>;
}

/**
 * A worker double running the real engine and protocol (structured clone both ways). `die()`
 * ends it as terminate() or a crash would: no more messages, no error event; its locks go.
 */
function createDyingWorker(locks: Pick<LockManager, 'request'>, checkpoints: TrainingCheckpoint[]) {
  const listeners: ((event: MessageEvent<WorkerToMainMessage>) => void)[] = [];
  let isDead = false;
  let endLife: () => void = () => undefined;
  const life = new Promise<void>((resolve) => (endLife = resolve));
  const post = (message: WorkerToMainMessage, transfer: Transferable[] = []) => {
    if (isDead) return;
    const copy = structuredClone(message, { transfer });
    setTimeout(() => {
      if (!isDead) for (const l of listeners) l(new MessageEvent('message', { data: copy }));
    }, 0);
  };
  const engine = createTrainingEngine('worker', post, {
    yieldToEventLoop: () => new Promise((resolve) => setTimeout(resolve, 0)),
    createCheckpointStore: () => ({
      writeCheckpoint: async (checkpoint) => void checkpoints.push(checkpoint),
    }),
  });
  const worker = {
    postMessage(message: MainToWorkerMessage) {
      const copy = structuredClone(message);
      setTimeout(() => {
        if (isDead) return;
        if (copy.kind === 'hold-liveness-lock') {
          void locks.request(copy.lockName, () => {
            post({ kind: 'liveness-lock-held', lockName: copy.lockName });
            return life;
          });
        } else if (copy.kind === 'start') void engine.run(copy);
        else if (copy.kind === 'pause' || copy.kind === 'unpause' || copy.kind === 'stop') {
          engine[copy.kind]();
        }
      }, 0);
    },
    terminate: () => worker.die(),
    addEventListener: (type: string, listener: (event: never) => void) => {
      if (type === 'message')
        listeners.push(listener as (e: MessageEvent<WorkerToMainMessage>) => void);
    },
    die() {
      if (isDead) return;
      isDead = true;
      engine.stop();
      endLife();
    },
  };
  return worker;
}

describe('a training worker that dies silently', () => {
  test('is noticed through its lock: the run fails, says so, and names the intact checkpoint', async () => {
    const locks = createLockManager();
    const checkpoints: TrainingCheckpoint[] = [];
    const worker = createDyingWorker(locks, checkpoints);
    const session = createTrainingSession({
      createWorker: () => worker as unknown as WorkerLike,
      locks,
    });
    let epochsSeen = 0;
    const result = await session.start(
      DATA,
      smallConv1Params(5),
      CPU_BACKEND_REQUEST,
      {
        onCheckpoint: (epochsCompleted) => {
          epochsSeen = epochsCompleted;
          // The browser ends the worker right after its first checkpoint (out of memory, say).
          if (epochsCompleted === 1) worker.die();
        },
      },
      { checkpoint: { runId: 'run-1', datasetKey: 'key' } },
    );
    session.dispose();
    expect(epochsSeen).toBe(1);
    expect(result.end).toBe('failed');
    expect(result.errorMessage).toBe(
      `Training worker failed: ${SILENT_WORKER_DEATH}. The checkpoint after epoch 1 is intact: "Resume training from epoch 1" continues from it in a new worker.`,
    );
    expect(checkpoints.map((c) => c.epoch)).toEqual([1]);
  });

  test('a worker ended by the session itself is not reported', async () => {
    const locks = createLockManager();
    const workers: ReturnType<typeof createDyingWorker>[] = [];
    const session = createTrainingSession({
      createWorker: () => {
        const worker = createDyingWorker(locks, []);
        workers.push(worker);
        return worker as unknown as WorkerLike;
      },
      locks,
    });
    const first = await session.start(DATA, smallConv1Params(1), CPU_BACKEND_REQUEST);
    // The next run replaces (terminates) the first run's worker; its lock is freed then.
    const second = await session.start(DATA, smallConv1Params(1), CPU_BACKEND_REQUEST);
    session.dispose();
    expect([first.end, second.end]).toEqual(['completed', 'completed']);
    expect(workers).toHaveLength(2);
  });
});

describe('losses that are no longer numbers', () => {
  test('stop the run at the next batch: no evaluation, no model, no checkpoint, a clear message', async () => {
    const messages: WorkerToMainMessage[] = [];
    const checkpoints: TrainingCheckpoint[] = [];
    const engine = createTrainingEngine('main-thread', (m) => messages.push(m), {
      yieldToEventLoop: noWait,
      createCheckpointStore: () => ({
        writeCheckpoint: async (checkpoint) => void checkpoints.push(checkpoint),
      }),
      // A real conv1 whose first kernel holds one NaN, as weights poisoned by a bad step are.
      buildModel: (params) => {
        const model = createModel(params.architectureId, { seed: params.seed });
        const [kernel, ...rest] = model.getWeights();
        const values = kernel.dataSync().slice();
        values[0] = Number.NaN;
        const poisoned = tf.tensor(values, kernel.shape);
        model.setWeights([poisoned, ...rest]);
        poisoned.dispose();
        return model;
      },
    });
    await engine.run({
      params: smallConv1Params(3),
      backendRequest: CPU_BACKEND_REQUEST,
      train: DATA.train,
      test: DATA.test,
      checkpoint: { runId: 'run-nan', datasetKey: 'key' },
    });
    engine.dispose();
    const batches = messages.filter((m) => m.kind === 'batch');
    expect(batches).toHaveLength(1);
    expect(messages.some((m) => m.kind === 'evaluation')).toBe(false);
    expect(checkpoints).toEqual([]);
    const error = messages.find((m) => m.kind === 'error');
    expect(error).toEqual({
      kind: 'error',
      message:
        'The training loss became NaN in epoch 1, batch 1: the weights are no longer numbers (the learning rate may be too high). The run was stopped. No checkpoint of this run was kept, so it has to start again.',
    });
    const done = messages.at(-1);
    expect(done).toMatchObject({ kind: 'done', end: 'failed' });
    expect(done && 'model' in done ? done.model : undefined).toBeUndefined();
  });
});
