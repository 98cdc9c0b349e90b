import { deleteAllDatabases } from './idb-test-env';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NUM_CLASSES } from '../../../src/config/dataset';
import { createModel } from '../../../src/model/architectures';
import {
  createCheckpointStore,
  type CheckpointWriteStep,
  type TrainingCheckpoint,
} from '../../../src/storage/checkpoint-store';
import {
  captureOptimizerState,
  restoreOptimizerState,
  type OptimizerStateEntry,
} from '../../../src/training/optimizer-state';
import {
  CHECKPOINT_BY_RUN_INDEX,
  CHECKPOINT_STORE,
  openStudioDb,
} from '../../../src/storage/studio-db';
import { serializeModel } from '../../../src/training/serialized-model';
import type { EpochMetrics } from '../../../src/training/run-types';
import type { TrainingParams } from '../../../src/training/training-params';
import type { SerializedModel } from '../../../src/training/run-types';
import { loadRealSplit } from '../training/real-data';

const RUN_ID = 'run-1';
const BATCH_SIZE = 8;
const params: TrainingParams = {
  architectureId: 'conv1',
  epochs: 5,
  batchSize: BATCH_SIZE,
  learningRate: 0.001,
  optimizer: 'adam',
  validationFraction: 0,
  seed: 1,
};

/** Real training state after each of two Adam steps on real images (weights differ). */
const states: Array<{
  model: SerializedModel;
  optimizerState: OptimizerStateEntry[];
  metrics: EpochMetrics;
}> = [];
let tensorsAtStart = 0;

function checkpointAt(step: number, epoch = step + 1): TrainingCheckpoint {
  return {
    runId: RUN_ID,
    epoch,
    params,
    history: states.slice(0, step + 1).map((s) => s.metrics),
    model: states[step].model,
    optimizerState: states[step].optimizerState,
    elapsedMs: 1000 * (step + 1),
    shuffleSeed: 7,
    datasetKey: 'train:100:0123abcd|test:100:4567ef01',
  };
}

/** Byte equality without vitest's element-wise diff (slow on megabytes). */
function isSameBytes(a: ArrayBuffer, b: ArrayBuffer): boolean {
  return Buffer.compare(new Uint8Array(a), new Uint8Array(b)) === 0;
}

/** Keys of every checkpoint record of RUN_ID, read with the raw API. */
async function storedCheckpointKeys(): Promise<string[]> {
  const db = await openStudioDb(indexedDB);
  try {
    return await new Promise((resolve, reject) => {
      const request = db
        .transaction(CHECKPOINT_STORE)
        .objectStore(CHECKPOINT_STORE)
        .index(CHECKPOINT_BY_RUN_INDEX)
        .getAllKeys(RUN_ID);
      request.onsuccess = () => resolve(request.result.map(String));
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

function interruptAfter(step: CheckpointWriteStep) {
  return createCheckpointStore({
    afterStep: (reached) => {
      if (reached === step) throw new Error(`simulated crash after ${step}`);
    },
  });
}

beforeAll(async () => {
  tf.env().set('IS_BROWSER', true);
  await tf.setBackend('cpu');
  tensorsAtStart = tf.memory().numTensors;
  const model = createModel('conv1', { seed: 1 });
  const optimizer = tf.train.adam(params.learningRate);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const { images, labels } = loadRealSplit('train', BATCH_SIZE);
  const xs = tf.tidy(() => tf.tensor4d(images, [BATCH_SIZE, 28, 28, 1], 'float32').div(255));
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), NUM_CLASSES));
  for (let epoch = 0; epoch < 2; epoch++) {
    const [loss, accuracy] = (await model.trainOnBatch(xs, ys)) as number[];
    states.push({
      model: await serializeModel(model),
      optimizerState: await captureOptimizerState(optimizer),
      metrics: { epoch, loss, accuracy, valLoss: NaN, valAccuracy: NaN, elapsedMs: 10 },
    });
  }
  tf.dispose([xs, ys]);
  model.dispose();
  optimizer.dispose();
});

afterAll(() => {
  expect(tf.memory().numTensors).toBe(tensorsAtStart);
});

beforeEach(deleteAllDatabases);

describe('checkpoint store', () => {
  it('captured real Adam state: the step counter, two moments per weight and β₁ᵗ, β₂ᵗ', () => {
    const [entry] = states[1].optimizerState;
    expect(entry.name).toBe('iter');
    expect(new Int32Array(entry.data)[0] || new Float32Array(entry.data)[0]).toBe(2);
    // conv1 has 8 weight tensors (4 layers × kernel + bias): m and v for each; then Adam's
    // running products β₁ᵗ and β₂ᵗ, which tfjs's own getWeights leaves out.
    expect(states[1].optimizerState).toHaveLength(1 + 2 * 8 + 2);
    expect(states[1].optimizerState.slice(-2).map((entry) => entry.name)).toEqual([
      'running-product/accBeta1',
      'running-product/accBeta2',
    ]);
    const beta1Power = new Float32Array(states[1].optimizerState[1 + 2 * 8].data)[0];
    // tfjs starts the product at β₁ and multiplies after each step: β₁³ after two steps.
    expect(beta1Power).toBeCloseTo(0.9 ** 3, 6);
    expect(isSameBytes(states[0].model.weightData, states[1].model.weightData)).toBe(false);
  });

  it('writes and reads back a checkpoint byte for byte', async () => {
    const store = createCheckpointStore({ now: () => new Date('2025-03-04T05:06:07.000Z') });
    expect(await store.readLatestCheckpoint(RUN_ID)).toBeNull();
    const written = await store.writeCheckpoint(checkpointAt(0));
    const read = await store.readLatestCheckpoint(RUN_ID);
    expect(read).not.toBeNull();
    expect(read!.key).toBe(written.key);
    expect(read!.createdAt).toBe('2025-03-04T05:06:07.000Z');
    expect(read!.epoch).toBe(1);
    expect(read!.params).toEqual(params);
    expect(read!.history).toEqual(checkpointAt(0).history);
    expect(Number.isNaN(read!.history[0].valLoss)).toBe(true);
    expect(read!.model.modelTopology).toEqual(states[0].model.modelTopology);
    expect(isSameBytes(read!.model.weightData, states[0].model.weightData)).toBe(true);
    expect(read!.optimizerState.map((e) => [e.name, e.shape, e.dtype])).toEqual(
      states[0].optimizerState.map((e) => [e.name, e.shape, e.dtype]),
    );
    read!.optimizerState.forEach((entry, i) =>
      expect(isSameBytes(entry.data, states[0].optimizerState[i].data)).toBe(true),
    );
    expect(await store.listCheckpointPointers()).toEqual([
      { runId: RUN_ID, currentCheckpointKey: written.key, epoch: 1 },
    ]);
  });

  it('restores optimizer state into a fresh Adam without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const stored = await createCheckpointStore().writeCheckpoint(checkpointAt(1));
    const read = await createCheckpointStore().readLatestCheckpoint(stored.runId);
    const fresh = tf.train.adam(params.learningRate);
    await restoreOptimizerState(fresh, read!.optimizerState);
    const recaptured = await captureOptimizerState(fresh);
    expect(recaptured.map((e) => e.name)).toEqual(states[1].optimizerState.map((e) => e.name));
    recaptured.forEach((entry, i) =>
      expect(isSameBytes(entry.data, states[1].optimizerState[i].data)).toBe(true),
    );
    fresh.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('replacing a checkpoint leaves one record, the new one', async () => {
    const store = createCheckpointStore();
    const first = await store.writeCheckpoint(checkpointAt(0));
    const second = await store.writeCheckpoint(checkpointAt(1));
    expect(second.key).not.toBe(first.key);
    expect(await storedCheckpointKeys()).toEqual([second.key]);
    const read = await store.readLatestCheckpoint(RUN_ID);
    expect(read!.epoch).toBe(2);
    expect(isSameBytes(read!.model.weightData, states[1].model.weightData)).toBe(true);
  });

  it('an interrupted write before the pointer flip leaves the previous checkpoint readable', async () => {
    const first = await createCheckpointStore().writeCheckpoint(checkpointAt(0));
    await expect(
      interruptAfter('checkpoint-written').writeCheckpoint(checkpointAt(1)),
    ).rejects.toThrow(/simulated crash after checkpoint-written/);
    const read = await createCheckpointStore().readLatestCheckpoint(RUN_ID);
    expect(read!.key).toBe(first.key);
    expect(read!.epoch).toBe(1);
    expect(isSameBytes(read!.model.weightData, states[0].model.weightData)).toBe(true);
    expect(await storedCheckpointKeys()).toEqual([first.key]);
  });

  it('an interruption after the flip reads the new checkpoint; the next write sweeps the old', async () => {
    const first = await createCheckpointStore().writeCheckpoint(checkpointAt(0));
    await expect(
      interruptAfter('pointer-flipped').writeCheckpoint(checkpointAt(1)),
    ).rejects.toThrow(/simulated crash/);
    const read = await createCheckpointStore().readLatestCheckpoint(RUN_ID);
    expect(read!.epoch).toBe(2);
    expect(isSameBytes(read!.model.weightData, states[1].model.weightData)).toBe(true);
    // The old record outlived the crash…
    expect(await storedCheckpointKeys()).toContain(first.key);
    // …until the next complete write.
    const third = await createCheckpointStore().writeCheckpoint(checkpointAt(1, 3));
    expect(await storedCheckpointKeys()).toEqual([third.key]);
  });

  it('a write that fails on quota before the flip keeps the previous one', async () => {
    const first = await createCheckpointStore().writeCheckpoint(checkpointAt(0));
    const fullDisk = createCheckpointStore({
      afterStep: () => {
        throw new DOMException('Quota exceeded', 'QuotaExceededError');
      },
    });
    await expect(fullDisk.writeCheckpoint(checkpointAt(1))).rejects.toMatchObject({
      kind: 'quota-exceeded',
    });
    expect((await createCheckpointStore().readLatestCheckpoint(RUN_ID))!.key).toBe(first.key);
  });

  it('clearCheckpoints removes the pointer and every record of the run only', async () => {
    const store = createCheckpointStore();
    await store.writeCheckpoint(checkpointAt(0));
    const other = await store.writeCheckpoint({ ...checkpointAt(0), runId: 'run-2' });
    await store.clearCheckpoints(RUN_ID);
    expect(await store.readLatestCheckpoint(RUN_ID)).toBeNull();
    expect(await storedCheckpointKeys()).toEqual([]);
    expect((await store.readLatestCheckpoint('run-2'))!.key).toBe(other.key);
  });

  it('rejects an incomplete checkpoint before writing anything', async () => {
    const broken = {
      ...checkpointAt(0),
      optimizerState: [
        { name: 'x', shape: [2], dtype: 'float32' as const, data: new ArrayBuffer(4) },
      ],
    };
    await expect(createCheckpointStore().writeCheckpoint(broken)).rejects.toThrow(
      /optimizer state/,
    );
    expect(await storedCheckpointKeys()).toEqual([]);
  });

  it('rejects a checkpoint without its resume fields (elapsed time, shuffle seed, dataset key)', async () => {
    const store = createCheckpointStore();
    const withoutSeed: Partial<TrainingCheckpoint> = { ...checkpointAt(0) };
    delete withoutSeed.shuffleSeed;
    await expect(store.writeCheckpoint(withoutSeed as TrainingCheckpoint)).rejects.toThrow(
      /shuffle seed/,
    );
    await expect(store.writeCheckpoint({ ...checkpointAt(0), shuffleSeed: -1 })).rejects.toThrow(
      /shuffle seed/,
    );
    await expect(
      store.writeCheckpoint({ ...checkpointAt(0), elapsedMs: Number.NaN }),
    ).rejects.toThrow(/elapsed time/);
    const withoutKey: Partial<TrainingCheckpoint> = { ...checkpointAt(0) };
    delete withoutKey.datasetKey;
    await expect(store.writeCheckpoint(withoutKey as TrainingCheckpoint)).rejects.toThrow(
      /dataset key/,
    );
    expect(await storedCheckpointKeys()).toEqual([]);
  });
});
