/**
 * Checkpoints and resume through the engine (main-thread path, IndexedDB over fake-indexeddb):
 * a run stopped after epoch 1 and resumed from its checkpoint ends with the same weights and
 * metrics as the run that was never interrupted.
 */
import '../storage/idb-test-env';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { createCheckpointStore, type CheckpointStore } from '../../../src/storage/checkpoint-store';
import { StorageError } from '../../../src/storage/storage-error';
import { createTrainingEngine } from '../../../src/training/engine';
import { deserializeModel } from '../../../src/training/serialized-model';
import type { StartRequest, WorkerToMainMessage } from '../../../src/training/worker-protocol';
import type { SerializedModel } from '../../../src/training/run-types';
import { SEED_RECIPE, type TrainingParams } from '../../../src/training/training-params';
import { CPU_BACKEND_REQUEST, smallConv1Params, smallEngineData } from './real-data';

const DATA = smallEngineData();
/** Two epochs of conv1 on 36 real training rows; seeded, so dropout masks repeat too. */
const PARAMS: TrainingParams = smallConv1Params(2);
const DATASET_KEY = 'train:48:test|test:40:test';
const noWait = () => Promise.resolve();

beforeAll(async () => {
  tf.env().set('IS_BROWSER', true);
  await tf.setBackend('cpu');
});

type Done = Extract<WorkerToMainMessage, { kind: 'done' }>;

async function runEngine(
  request: Omit<StartRequest, 'backendRequest' | 'train' | 'test'>,
  onMessage: (message: WorkerToMainMessage, stop: () => void) => void = () => {},
  // The worker entry hands the engine IndexedDB checkpoints; here the same store, explicitly.
  createStore: () => CheckpointStore = () => createCheckpointStore(),
): Promise<{ messages: WorkerToMainMessage[]; done: Done; tensorsAtEpochEnd: number[] }> {
  const messages: WorkerToMainMessage[] = [];
  const tensorsAtEpochEnd: number[] = [];
  const engine = createTrainingEngine(
    'main-thread',
    (message) => {
      messages.push(message);
      if (message.kind === 'epoch') tensorsAtEpochEnd.push(tf.memory().numTensors);
      onMessage(message, () => engine.stop());
    },
    { yieldToEventLoop: noWait, createCheckpointStore: createStore },
  );
  await engine.run({ backendRequest: CPU_BACKEND_REQUEST, ...DATA, ...request });
  engine.dispose();
  return { messages, done: messages.at(-1) as Done, tensorsAtEpochEnd };
}

async function weightsOf(serialized: SerializedModel): Promise<Float32Array[]> {
  const model = await deserializeModel(serialized);
  const values = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  return values;
}

describe('checkpoints and resume', () => {
  test('stop after epoch 1 of 2, resume from the checkpoint: same weights and history as uninterrupted', async () => {
    const uninterrupted = await runEngine({ params: PARAMS });
    expect(uninterrupted.done.end).toBe('completed');

    const runId = 'run-resume-test';
    const checkpoint = { runId, datasetKey: DATASET_KEY };
    const first = await runEngine({ params: PARAMS, checkpoint }, (message, stop) => {
      if (message.kind === 'checkpoint' && message.epochsCompleted === 1) stop();
    });
    expect(first.done.end).toBe('stopped');
    expect(first.messages.filter((m) => m.kind === 'checkpoint')).toEqual([
      { kind: 'checkpoint', epochsCompleted: 1 },
    ]);

    const stored = await createCheckpointStore().readLatestCheckpoint(runId);
    expect(stored).not.toBeNull();
    expect(stored!.epoch).toBe(1);
    expect(stored!.datasetKey).toBe(DATASET_KEY);
    expect(stored!.shuffleSeed).toBe(PARAMS.seed);
    expect(stored!.history.map((h) => h.loss)).toEqual([uninterrupted.done.history[0].loss]);

    const tensorsBefore = tf.memory().numTensors;
    const resumed = await runEngine({
      params: stored!.params,
      initialModel: stored!.model,
      resumeFrom: {
        epochsCompleted: stored!.epoch,
        history: stored!.history,
        elapsedMs: stored!.elapsedMs,
        shuffleSeed: stored!.shuffleSeed,
        optimizerState: stored!.optimizerState,
      },
      checkpoint,
    });
    expect(resumed.done.end).toBe('completed');
    // Only epoch 2 ran; the run reports both, the first from the checkpoint.
    expect(resumed.messages.filter((m) => m.kind === 'epoch').map((m) => m.metrics.epoch)).toEqual([
      1,
    ]);
    expect(resumed.done.history).toHaveLength(2);
    expect(resumed.messages.filter((m) => m.kind === 'checkpoint')).toEqual([
      { kind: 'checkpoint', epochsCompleted: 2 },
    ]);
    const strip = (h: Done['history']) =>
      h.map(({ epoch, loss, accuracy, valLoss, valAccuracy }) => ({
        epoch,
        loss,
        accuracy,
        valLoss,
        valAccuracy,
      }));
    expect(strip(resumed.done.history)).toEqual(strip(uninterrupted.done.history));
    expect(resumed.done.history[1].elapsedMs).toBeGreaterThanOrEqual(stored!.elapsedMs);

    // Same row order, same optimizer moments, same dropout masks: the same numbers exactly.
    const expected = await weightsOf(uninterrupted.done.model!);
    const actual = await weightsOf(resumed.done.model!);
    expect(actual).toHaveLength(expected.length);
    for (let i = 0; i < expected.length; i++) {
      expect(Buffer.compare(Buffer.from(actual[i].buffer), Buffer.from(expected[i].buffer))).toBe(
        0,
      );
    }
    // Nothing left behind by the resumed run (the per-epoch count is train-loop.test's job).
    expect(tf.memory().numTensors).toBe(tensorsBefore);

    // (Were the optimizer state ignored, Adam's step count and moments would restart and the
    // weights above would differ.)
    await createCheckpointStore().clearCheckpoints(runId);
  });

  test('a run resumed mid-schedule, with augmentation, smoothing and best weights, equals the uninterrupted run', async () => {
    const params: TrainingParams = {
      ...smallConv1Params(3),
      learningRate: 0.003,
      recipe: {
        ...SEED_RECIPE,
        lrSchedule: 'one-cycle',
        labelSmoothing: 0.1,
        augmentFlip: true,
        augmentShiftPx: 2,
        keepBestWeights: true,
        weightDecay: 0.01,
      },
    };
    const uninterrupted = await runEngine({ params });
    const runId = 'run-resume-recipe';
    const checkpoint = { runId, datasetKey: DATASET_KEY };
    await runEngine({ params, checkpoint }, (message, stop) => {
      if (message.kind === 'checkpoint' && message.epochsCompleted === 2) stop();
    });
    const stored = (await createCheckpointStore().readLatestCheckpoint(runId))!;
    expect(stored.epoch).toBe(2);
    expect(stored.best?.weightData).toBeInstanceOf(ArrayBuffer);
    const resumed = await runEngine({
      params: stored.params,
      initialModel: stored.model,
      resumeFrom: {
        epochsCompleted: stored.epoch,
        history: stored.history,
        elapsedMs: stored.elapsedMs,
        shuffleSeed: stored.shuffleSeed,
        optimizerState: stored.optimizerState,
        best: stored.best,
      },
      checkpoint,
    });
    expect(resumed.done.keptEpoch).toBe(uninterrupted.done.keptEpoch);
    expect(resumed.done.history.map((h) => [h.loss, h.valAccuracy, h.learningRate])).toEqual(
      uninterrupted.done.history.map((h) => [h.loss, h.valAccuracy, h.learningRate]),
    );
    const expected = await weightsOf(uninterrupted.done.model!);
    const actual = await weightsOf(resumed.done.model!);
    expected.forEach((values, i) => expect(actual[i]).toEqual(values));
    await createCheckpointStore().clearCheckpoints(runId);
  });

  test('a checkpoint that cannot be written is reported and the run goes on', async () => {
    const fullDisk: CheckpointStore = {
      ...createCheckpointStore(),
      writeCheckpoint: () =>
        Promise.reject(new StorageError('quota-exceeded', 'Not enough browser storage')),
    };
    const { messages, done } = await runEngine(
      { params: smallConv1Params(2), checkpoint: { runId: 'run-full', datasetKey: DATASET_KEY } },
      undefined,
      () => fullDisk,
    );
    expect(done.end).toBe('completed');
    expect(done.history).toHaveLength(2);
    expect(messages.filter((m) => m.kind === 'checkpoint-error')).toEqual([
      { kind: 'checkpoint-error', epochsCompleted: 1, message: 'Not enough browser storage' },
      { kind: 'checkpoint-error', epochsCompleted: 2, message: 'Not enough browser storage' },
    ]);
  });
});

/** A GPU context the test loses on demand; `isLost` turns true at once, as WebGL's does. */
function fakeGpuContext() {
  let lost = false;
  let onLost = () => {};
  return {
    watch: (listener: () => void) => {
      onLost = listener;
      return { isLost: () => lost, dispose: () => undefined };
    },
    lose: () => {
      lost = true;
      onLost();
    },
  };
}

/**
 * Three epochs with checkpoints; `onMessage` decides when the context is lost. Resolves the
 * error sentence, the done message and the checkpoints written.
 */
async function runLosingContext(
  runId: string,
  onMessage: (
    message: WorkerToMainMessage,
    engine: { pause(): void; unpause(): void },
    lose: () => void,
  ) => void,
): Promise<{ error: string; done: Done; checkpoints: number[] }> {
  const gpu = fakeGpuContext();
  const messages: WorkerToMainMessage[] = [];
  const engine = createTrainingEngine(
    'main-thread',
    (message) => {
      messages.push(message);
      onMessage(message, engine, gpu.lose);
    },
    { yieldToEventLoop: noWait, createCheckpointStore, watchContext: gpu.watch },
  );
  await engine.run({
    backendRequest: CPU_BACKEND_REQUEST,
    ...DATA,
    params: smallConv1Params(3),
    checkpoint: { runId, datasetKey: DATASET_KEY },
  });
  engine.dispose();
  await createCheckpointStore().clearCheckpoints(runId);
  const error = messages.find((m) => m.kind === 'error');
  return {
    error: error?.kind === 'error' ? error.message : '',
    done: messages.at(-1) as Done,
    checkpoints: messages.flatMap((m) => (m.kind === 'checkpoint' ? [m.epochsCompleted] : [])),
  };
}

describe('a GPU context lost mid-run', () => {
  const keptAfterEpoch1 =
    'Nothing computed after that was kept; the checkpoint after epoch 1 is intact and "Resume training from epoch 1" continues from it on a fresh backend.';

  test('during the batches of epoch 2: that epoch is named, the checkpoint of epoch 1 kept', async () => {
    const { error, done, checkpoints } = await runLosingContext(
      'run-lost-in-epoch',
      (message, _engine, lose) => {
        if (message.kind === 'batch' && message.metrics.epoch === 1 && message.metrics.batch === 0)
          lose();
      },
    );
    expect(error).toMatch(/^The GPU's WebGL context was lost during epoch 2 \(/);
    expect(error).toContain(keptAfterEpoch1);
    expect(checkpoints).toEqual([1]);
    expect(done).toMatchObject({ kind: 'done', end: 'failed' });
    expect(done.history).toHaveLength(1);
  });

  test('while paused after the checkpoint of epoch 1: the next epoch is named, not the finished one', async () => {
    const { error, done, checkpoints } = await runLosingContext(
      'run-lost-paused',
      (message, engine, lose) => {
        if (message.kind === 'checkpoint' && message.epochsCompleted === 1) engine.pause();
        if (message.kind === 'pause-state' && message.state === 'paused') {
          lose();
          engine.unpause();
        }
      },
    );
    expect(error).toMatch(/^The GPU's WebGL context was lost during epoch 2 \(/);
    expect(error).toContain(keptAfterEpoch1);
    expect(checkpoints).toEqual([1]);
    expect(done).toMatchObject({ kind: 'done', end: 'failed' });
  });
});
