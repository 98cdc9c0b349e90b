/**
 * The engine the worker runs, end to end on the main-thread path (Node has no module Worker;
 * the browser tests cover the worker itself), plus the client's fallback.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { createTrainingEngine } from '../../../src/training/engine';
import { deserializeModel } from '../../../src/training/serialized-model';
import type { PauseState } from '../../../src/training/run-control';
import { createTrainingSession } from '../../../src/training/training-client';
import type { WorkerLike } from '../../../src/training/training-session-types';
import type { WorkerToMainMessage } from '../../../src/training/worker-protocol';
import type {
  BackendRequest,
  BatchMetrics,
  EpochMetrics,
  EvaluationResult,
} from '../../../src/training/run-types';
import type { TrainingParams } from '../../../src/training/training-params';
import { CPU_BACKEND_REQUEST, smallConv1Params, smallEngineData } from './real-data';

const CPU: BackendRequest = CPU_BACKEND_REQUEST;
const DATA = smallEngineData();
const PARAMS: TrainingParams = smallConv1Params(2);
const noWait = () => Promise.resolve();

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('createTrainingEngine (main-thread path)', () => {
  test('emits backend, batches, epochs, evaluation, then done with loadable weights', async () => {
    const messages: WorkerToMainMessage[] = [];
    const engine = createTrainingEngine('main-thread', (m) => messages.push(m), {
      yieldToEventLoop: noWait,
    });
    await engine.run({ params: PARAMS, backendRequest: CPU, ...DATA });

    const kinds = messages.map((m) => m.kind);
    expect(kinds[0]).toBe('backend');
    expect(kinds.filter((k) => k === 'batch')).toHaveLength(6);
    expect(kinds.filter((k) => k === 'epoch')).toHaveLength(2);
    expect(kinds.slice(-2)).toEqual(['evaluation', 'done']);
    const backend = messages[0] as Extract<WorkerToMainMessage, { kind: 'backend' }>;
    expect(backend.info).toMatchObject({ name: 'cpu', path: 'main-thread' });

    const evaluation = (messages.at(-2) as { result: EvaluationResult }).result;
    expect(evaluation.count).toBe(40);
    expect(evaluation.confusion.flat().reduce((a, b) => a + b, 0)).toBe(40);

    const done = messages.at(-1) as Extract<WorkerToMainMessage, { kind: 'done' }>;
    expect(done.end).toBe('completed');
    expect(done.history).toHaveLength(2);
    expect(done.model?.weightData).toBeInstanceOf(ArrayBuffer);
    // Everything that crosses the boundary survives structured clone (no tensors, no functions).
    for (const m of messages) expect(() => structuredClone(m)).not.toThrow();

    // The weights in the done message are the kept model's weights.
    const restored = await deserializeModel(done.model!);
    const kept = engine.getModel()!;
    const [a, b] = tf.tidy(() => {
      const xs = tf.tensor4d(DATA.test.images.slice(0, 784 * 3), [3, 28, 28, 1], 'int32').div(255);
      return [kept.predict(xs) as tf.Tensor, restored.predict(xs) as tf.Tensor];
    });
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    for (const t of [a, b]) t.dispose();
    restored.dispose();
    engine.dispose();
    expect(engine.getModel()).toBeNull();
  });

  test("monitorTest: every epoch also carries the test split's loss and accuracy, as the end evaluation scores it", async () => {
    const messages: WorkerToMainMessage[] = [];
    const engine = createTrainingEngine('main-thread', (m) => messages.push(m), {
      yieldToEventLoop: noWait,
    });
    await engine.run({ params: PARAMS, backendRequest: CPU, ...DATA, monitorTest: true });
    const epochs = messages.flatMap((m) => (m.kind === 'epoch' ? [m.metrics] : []));
    expect(epochs).toHaveLength(2);
    for (const epoch of epochs) {
      expect(epoch.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(epoch.testLoss)).toBe(true);
    }
    // The last epoch's weights are the evaluated ones: the same accuracy on the same 40 images.
    const evaluation = messages.find((m) => m.kind === 'evaluation') as {
      result: EvaluationResult;
    };
    expect(epochs[1].testAccuracy).toBeCloseTo(evaluation.result.accuracy, 10);
    engine.dispose();
  });

  test('a failure becomes an error message and a failed done', async () => {
    const messages: WorkerToMainMessage[] = [];
    const engine = createTrainingEngine('main-thread', (m) => messages.push(m));
    await engine.run({ params: { ...PARAMS, batchSize: 0 }, backendRequest: CPU, ...DATA });
    expect(messages.map((m) => m.kind)).toEqual(['backend', 'error', 'done']);
    expect(messages[1]).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/Batch size/),
    });
    expect(messages[2]).toMatchObject({ kind: 'done', end: 'failed' });
    engine.dispose();
  });
});

/** A worker that dies before reporting a backend, as a worker whose module fails to load. */
function brokenWorker(): WorkerLike {
  let onError: ((event: Event) => void) | undefined;
  return {
    postMessage: () => setTimeout(() => onError?.(new Event('error')), 0),
    terminate: () => {},
    addEventListener: (type: string, listener: (event: never) => void) => {
      if (type === 'error') onError = listener as (event: Event) => void;
    },
  } as WorkerLike;
}

describe('createTrainingSession', () => {
  test('falls back to the main thread when the worker errors before its backend message', async () => {
    const session = createTrainingSession({
      preferWorker: true,
      createWorker: brokenWorker,
      engineOptions: { yieldToEventLoop: noWait },
    });
    const epochs: EpochMetrics[] = [];
    const result = await session.start(DATA, { ...PARAMS, epochs: 1 }, CPU, {
      onEpoch: (m) => epochs.push(m),
    });
    expect(result.end).toBe('completed');
    expect(result.backend).toMatchObject({ name: 'cpu', path: 'main-thread' });
    expect(epochs).toHaveLength(1);
    expect(result.evaluation?.count).toBe(40);
    session.dispose();
  });

  test('falls back when no Worker can be constructed (Node), and stop/pause work through it', async () => {
    const session = createTrainingSession({
      preferWorker: true,
      createWorker: () => {
        throw new Error('no workers here');
      },
    });
    const batches: BatchMetrics[] = [];
    const states: PauseState[] = [];
    let evaluation: EvaluationResult | undefined;
    const result = await session.start(DATA, PARAMS, CPU, {
      onBatch: (m) => {
        batches.push(m);
        if (m.batch === 0 && m.epoch === 0) session.pause();
        if (m.batch === 1 && m.epoch === 0) session.stop();
      },
      onPauseStateChange: (s) => {
        states.push(s);
        if (s === 'paused') setTimeout(() => session.unpause(), 10);
      },
      onEvaluation: (e) => (evaluation = e),
    });
    expect(states).toEqual(['paused', 'running']);
    expect(batches.map((b) => b.batch)).toEqual([0, 1]);
    expect(result.end).toBe('stopped');
    // The test set is still evaluated after a stop, and the weights come back.
    expect(evaluation?.count).toBe(40);
    expect(result.model?.weightSpecs.length).toBeGreaterThan(0);
    session.dispose();
  });

  test('preferWorker false never touches a worker', async () => {
    let created = 0;
    const session = createTrainingSession({
      preferWorker: false,
      createWorker: () => {
        created++;
        return brokenWorker();
      },
      engineOptions: { yieldToEventLoop: noWait },
    });
    const result = await session.start(DATA, { ...PARAMS, epochs: 1 }, CPU);
    expect(created).toBe(0);
    expect(result.backend?.path).toBe('main-thread');
    // A second run on the same session reports to its own hooks.
    const secondEpochs: EpochMetrics[] = [];
    const second = await session.start(DATA, { ...PARAMS, epochs: 1, seed: 6 }, CPU, {
      onEpoch: (m) => secondEpochs.push(m),
    });
    expect(second.end).toBe('completed');
    expect(secondEpochs).toHaveLength(1);
    expect(second.history).toEqual(secondEpochs);
    expect(second.history[0].loss).not.toBe(result.history[0].loss);
    session.dispose();
  });
});
