/**
 * The engine with a model it did not build: training further from a given model, evaluating
 * one, and predicting with one (cached by id). Main-thread path and an in-process double of
 * the worker that speaks the real protocol through structured clone.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NUM_CLASSES, PIXELS_PER_IMAGE } from '../../../src/config/dataset';
import { createTrainingEngine } from '../../../src/training/engine';
import { deserializeModel, serializeModel } from '../../../src/training/serialized-model';
import { evaluateModel } from '../../../src/training/evaluate';
import { trainModel } from '../../../src/training/train-loop';
import { RunControl } from '../../../src/training/run-control';
import { createTrainingSession } from '../../../src/training/training-client';
import type { WorkerLike } from '../../../src/training/training-session-types';
import type {
  MainToWorkerMessage,
  WorkerToMainMessage,
} from '../../../src/training/worker-protocol';
import type { SerializedModel } from '../../../src/training/run-types';
import type { BackendRequest } from '../../../src/training/run-types';
import type { TrainingParams } from '../../../src/training/training-params';
import { CPU_BACKEND_REQUEST, smallConv1Params, smallEngineData } from './real-data';

const CPU: BackendRequest = CPU_BACKEND_REQUEST;
const DATA = smallEngineData();
const PARAMS: TrainingParams = smallConv1Params(1);
const noWait = () => Promise.resolve();
/** Images for prediction: 5 real test rows (uint8 [5 × 784]). */
const IMAGES = DATA.test.images.slice(0, 5 * PIXELS_PER_IMAGE);

let trained: SerializedModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const session = createTrainingSession({
    preferWorker: false,
    engineOptions: { yieldToEventLoop: noWait },
  });
  const result = await session.start(DATA, PARAMS, CPU);
  session.dispose();
  expect(result.end).toBe('completed');
  trained = result.model!;
});

function bytes(model: SerializedModel): Uint8Array {
  return new Uint8Array(model.weightData);
}

/**
 * Byte equality of weight buffers (~2.4 MB for conv1). Vitest's toEqual walks typed arrays
 * element by element and took ~20 s per comparison here, so compare with Buffer instead.
 */
function isSameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

/** Evaluation of `model` computed directly, without the engine. */
async function evaluateDirectly(model: SerializedModel) {
  const restored = await deserializeModel(model);
  const result = await evaluateModel(restored, DATA.test);
  restored.dispose();
  return result;
}

/** model.predict on IMAGES, float32 [5 × 10], computed directly. */
async function predictDirectly(model: SerializedModel): Promise<Float32Array> {
  const restored = await deserializeModel(model);
  const probabilities = tf.tidy(() => {
    const xs = tf.tensor4d(IMAGES, [5, 28, 28, 1], 'int32').toFloat().div(255);
    return (restored.predict(xs) as tf.Tensor).dataSync() as Float32Array;
  });
  restored.dispose();
  return probabilities;
}

describe('training further from a given model (main thread)', () => {
  test('0 epochs: the returned weights are the given ones byte for byte, evaluated the same', async () => {
    const before = tf.memory().numTensors;
    const session = createTrainingSession({
      preferWorker: false,
      engineOptions: { yieldToEventLoop: noWait },
    });
    const inputBytes = bytes(trained).slice();
    const result = await session.start(
      DATA,
      { ...PARAMS, epochs: 0 },
      CPU,
      {},
      {
        initialModel: trained,
      },
    );
    expect(result.end).toBe('completed');
    expect(result.history).toEqual([]);
    expect(isSameBytes(bytes(result.model!), inputBytes)).toBe(true);
    expect(result.model!.weightSpecs).toEqual(trained.weightSpecs);
    // The caller's buffer was neither transferred (detached) nor changed.
    expect(isSameBytes(bytes(trained), inputBytes)).toBe(true);
    expect(result.evaluation).toEqual(await evaluateDirectly(trained));
    session.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('1 epoch: continues from the given weights (same as training the deserialized model directly)', async () => {
    const messages: WorkerToMainMessage[] = [];
    const engine = createTrainingEngine('main-thread', (m) => messages.push(m), {
      yieldToEventLoop: noWait,
    });
    await engine.run({ params: PARAMS, backendRequest: CPU, ...DATA, initialModel: trained });
    const done = messages.at(-1) as Extract<WorkerToMainMessage, { kind: 'done' }>;
    expect(done.end).toBe('completed');
    engine.dispose();

    const reference = await deserializeModel(trained);
    await trainModel(reference, DATA, PARAMS, {}, new RunControl(), {
      yieldToEventLoop: noWait,
    });
    const expected = await serializeModel(reference);
    reference.dispose();

    expect(isSameBytes(bytes(done.model!), bytes(expected))).toBe(true);
    // It did train: the weights moved away from the starting ones.
    expect(isSameBytes(bytes(done.model!), bytes(trained))).toBe(false);
  });
});

describe('evaluate and predict on the main thread', () => {
  test('evaluate with no run in the session equals evaluateModel on the deserialized model', async () => {
    const before = tf.memory().numTensors;
    const session = createTrainingSession({
      preferWorker: true,
      createWorker: () => {
        throw new Error('no workers here');
      },
    });
    const result = await session.evaluate(trained, DATA.test, CPU);
    const direct = await evaluateDirectly(trained);
    expect(result.accuracy).toBe(direct.accuracy);
    expect(result.confusion).toEqual(direct.confusion);
    expect(result).toEqual(direct);
    expect(result.count).toBe(40);
    session.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('evaluate after a finished run leaves the run model alone', async () => {
    const engine = createTrainingEngine('main-thread', () => {}, { yieldToEventLoop: noWait });
    // 0 epochs: a finished run with a kept model is what matters here, not the training.
    await engine.run({ params: { ...PARAMS, epochs: 0, seed: 7 }, backendRequest: CPU, ...DATA });
    const kept = engine.getModel()!;
    const keptBytes = bytes(await serializeModel(kept));
    const before = tf.memory().numTensors;
    const result = await engine.evaluate({
      requestId: 1,
      model: trained,
      test: DATA.test,
      backendRequest: CPU,
    });
    expect(result).toEqual(await evaluateDirectly(trained));
    expect(engine.getModel()).toBe(kept);
    expect(isSameBytes(bytes(await serializeModel(kept)), keptBytes)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    engine.dispose();
  });

  test('predict: rows sum to 1, match model.predict, and repeated calls with one id hold one model', async () => {
    const expected = await predictDirectly(trained);
    const restored = await deserializeModel(trained);
    const weightsPerModel = restored.weights.length;
    restored.dispose();
    const before = tf.memory().numTensors;
    const engine = createTrainingEngine('main-thread', () => {});

    const request = {
      requestId: 1,
      modelId: 'trained',
      model: trained,
      images: IMAGES,
      backendRequest: CPU,
    };
    const first = await engine.predict(request);
    expect(first).toBeInstanceOf(Float32Array);
    expect(first).toHaveLength(5 * NUM_CLASSES);
    for (let row = 0; row < 5; row++) {
      const sum = first
        .subarray(row * NUM_CLASSES, (row + 1) * NUM_CLASSES)
        .reduce((a, b) => a + b);
      expect(sum).toBeCloseTo(1, 5);
    }
    for (let i = 0; i < first.length; i++)
      expect(Math.abs(first[i] - expected[i])).toBeLessThan(1e-6);
    // The one cached model's weights are the only tensors left behind.
    expect(tf.memory().numTensors).toBe(before + weightsPerModel);
    expect(engine.getCachedModelId()).toBe('trained');

    for (let i = 0; i < 4; i++) {
      expect(await engine.predict({ ...request, requestId: 2 + i })).toEqual(first);
    }
    // Same id without the weights works only because the model is cached, not re-read.
    expect(await engine.predict({ ...request, requestId: 9, model: undefined })).toEqual(first);
    expect(tf.memory().numTensors).toBe(before + weightsPerModel);

    // A new id replaces (and disposes) the cached model.
    const fresh = createTrainingEngine('main-thread', () => {});
    await fresh.run({ params: { ...PARAMS, epochs: 0, seed: 9 }, backendRequest: CPU, ...DATA });
    const other = await serializeModel(fresh.getModel()!);
    fresh.dispose();
    const otherProbabilities = await engine.predict({ ...request, modelId: 'other', model: other });
    expect(otherProbabilities).not.toEqual(first);
    expect(engine.getCachedModelId()).toBe('other');
    expect(tf.memory().numTensors).toBe(before + weightsPerModel);
    await expect(
      engine.predict({ ...request, modelId: 'trained', model: undefined }),
    ).rejects.toThrow(/not loaded/);

    engine.dispose();
    // The cached model is disposed asynchronously (after its load promise settles).
    await Promise.resolve();
    expect(engine.getCachedModelId()).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('the session predicts through the same engine, and rejects malformed images', async () => {
    const expected = await predictDirectly(trained);
    const session = createTrainingSession({ preferWorker: false });
    const probabilities = await session.predict(trained, IMAGES, CPU, 'a');
    for (let i = 0; i < probabilities.length; i++) {
      expect(Math.abs(probabilities[i] - expected[i])).toBeLessThan(1e-6);
    }
    await expect(session.predict(trained, IMAGES.subarray(1), CPU, 'a')).rejects.toThrow(/784/);
    session.dispose();
  });
});

/**
 * A stand-in for the module worker: the real engine on the `worker` path, with every message
 * structured-cloned each way (transfer lists honoured) and delivered asynchronously.
 */
function createInProcessWorker(log: MainToWorkerMessage[]): WorkerLike {
  const listeners: ((event: MessageEvent<WorkerToMainMessage>) => void)[] = [];
  const engine = createTrainingEngine(
    'worker',
    (message, transfer = []) => {
      const copy = structuredClone(message, { transfer });
      setTimeout(() => {
        for (const l of listeners) l(new MessageEvent('message', { data: copy }));
      }, 0);
    },
    { yieldToEventLoop: noWait },
  );
  return {
    postMessage(message: MainToWorkerMessage) {
      const copy = structuredClone(message);
      log.push(copy);
      setTimeout(() => {
        switch (copy.kind) {
          case 'start':
            void engine.run(copy);
            break;
          case 'evaluate':
          case 'predict':
            void engine.answer(copy);
            break;
          case 'hold-liveness-lock':
            // Node has no Web Locks; the session here is made without them.
            break;
          default:
            engine[copy.kind]();
        }
      }, 0);
    },
    terminate: () => engine.dispose(),
    addEventListener: (type: string, listener: (event: never) => void) => {
      if (type === 'message')
        listeners.push(listener as (e: MessageEvent<WorkerToMainMessage>) => void);
    },
  } as WorkerLike;
}

describe('through the worker protocol', () => {
  let created = 0;
  const log: MainToWorkerMessage[] = [];
  const session = createTrainingSession({
    createWorker: () => {
      created++;
      return createInProcessWorker(log);
    },
  });
  afterAll(() => session.dispose());

  test('evaluate and predict before any run create one worker on demand and keep it', async () => {
    const evaluation = await session.evaluate(trained, DATA.test, CPU);
    expect(evaluation).toEqual(await evaluateDirectly(trained));
    const expected = await predictDirectly(trained);
    const first = await session.predict(trained, IMAGES, CPU, 'trained');
    const second = await session.predict(trained, IMAGES, CPU, 'trained');
    for (let i = 0; i < expected.length; i++)
      expect(Math.abs(first[i] - expected[i])).toBeLessThan(1e-6);
    expect(second).toEqual(first);
    expect(created).toBe(1);
    const predicts = log.filter((m) => m.kind === 'predict');
    // The weights cross once; the repeat names the cached model by id only.
    expect(predicts.map((m) => m.model !== undefined)).toEqual([true, false]);
    // Request ids are distinct, so answers cannot be mismatched.
    const ids = log.flatMap((m) => ('requestId' in m ? [m.requestId] : []));
    expect(new Set(ids).size).toBe(ids.length);
    // The caller's model was cloned, not transferred.
    expect(trained.weightData.byteLength).toBeGreaterThan(0);
  });

  test('after a run (fresh worker), initialModel, evaluate and predict still work', async () => {
    const result = await session.start(
      DATA,
      { ...PARAMS, epochs: 0 },
      CPU,
      {},
      { initialModel: trained },
    );
    expect(result.backend).toMatchObject({ name: 'cpu', path: 'worker' });
    expect(isSameBytes(bytes(result.model!), bytes(trained))).toBe(true);
    expect(created).toBe(2);
    // Concurrent requests are matched to their own answers.
    const [evaluation, probabilities] = await Promise.all([
      session.evaluate(trained, DATA.test, CPU),
      session.predict(trained, IMAGES, CPU, 'trained'),
    ]);
    expect(evaluation.count).toBe(40);
    expect(probabilities).toHaveLength(5 * NUM_CLASSES);
    // The new worker does not hold the old one's cache, so the weights were sent again.
    expect(log.filter((m) => m.kind === 'predict').at(-1)?.model).toBeDefined();
    expect(created).toBe(2);
  });
});
