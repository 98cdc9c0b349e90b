/**
 * A run stopped after an epoch and resumed from what a checkpoint holds (weights, optimizer
 * slots, history, seed) ends with exactly the uninterrupted run's weights, for every optimizer,
 * with 20 steps per epoch: enough that Adam's running products β₁ᵗ, β₂ᵗ (which tfjs's
 * setWeights would recompute with pow, a last-bit different value) must be carried over too.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import {
  captureOptimizerState,
  type OptimizerStateEntry,
} from '../../../src/training/optimizer-state';
import { RunControl } from '../../../src/training/run-control';
import { trainModel } from '../../../src/training/train-loop';
import type { EpochCommit } from '../../../src/training/train-loop-types';
import type { OptimizerId, TrainingParams } from '../../../src/training/training-params';
import { loadRealSplit } from './real-data';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const TRAIN = loadRealSplit('train', 400);
const noWait = () => Promise.resolve();

function createTinyModel(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({
        units: 16,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 21 }),
      }),
      tf.layers.dense({
        units: 10,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 22 }),
      }),
    ],
  });
}

/** 320 training rows in batches of 16: 20 steps per epoch. */
const params = (optimizer: OptimizerId): TrainingParams => ({
  architectureId: 'conv1',
  epochs: 3,
  batchSize: 16,
  learningRate: optimizer === 'sgd-momentum' ? 0.05 : 0.003,
  optimizer,
  validationFraction: 0.2,
  seed: 4,
});

const weightsOf = (model: tf.LayersModel) => model.getWeights().map((w) => w.dataSync().slice());

test.each<OptimizerId>(['adam', 'rmsprop', 'sgd-momentum'])(
  '%s: stopped after epoch 1 and resumed, the same weights as uninterrupted',
  async (optimizer) => {
    const uninterrupted = createTinyModel();
    await trainModel(uninterrupted, { train: TRAIN }, params(optimizer), {}, new RunControl(), {
      yieldToEventLoop: noWait,
    });

    const first = createTinyModel();
    const control = new RunControl();
    let commit: EpochCommit | undefined;
    let optimizerState: OptimizerStateEntry[] = [];
    let weights: tf.Tensor[] = [];
    await trainModel(
      first,
      { train: TRAIN },
      params(optimizer),
      {
        onEpochCommitted: async (progress) => {
          commit = progress;
          optimizerState = await captureOptimizerState(first.optimizer);
          weights = first.getWeights().map((w) => w.clone());
          control.stop();
        },
      },
      control,
      { yieldToEventLoop: noWait },
    );
    expect(commit?.epochsCompleted).toBe(1);

    const resumed = createTinyModel();
    resumed.setWeights(weights);
    tf.dispose(weights);
    const outcome = await trainModel(
      resumed,
      { train: TRAIN },
      params(optimizer),
      {},
      new RunControl(),
      {
        yieldToEventLoop: noWait,
        resumeFrom: {
          epochsCompleted: commit!.epochsCompleted,
          history: commit!.history,
          elapsedMs: commit!.elapsedMs,
          shuffleSeed: commit!.shuffleSeed,
          optimizerState,
        },
      },
    );
    expect(outcome.epochsCompleted).toBe(3);
    expect(weightsOf(resumed)).toEqual(weightsOf(uninterrupted));
    for (const model of [uninterrupted, first, resumed]) model.dispose();
  },
);

test('adam: stopped inside epoch 1 and resumed from the start commit, the same weights as uninterrupted', async () => {
  const uninterrupted = createTinyModel();
  await trainModel(uninterrupted, { train: TRAIN }, params('adam'), {}, new RunControl(), {
    yieldToEventLoop: noWait,
  });

  // The start commit comes before the first batch: the initial weights and the empty slots.
  const first = createTinyModel();
  const control = new RunControl();
  const commits: EpochCommit[] = [];
  let optimizerState: OptimizerStateEntry[] = [];
  let weights: tf.Tensor[] = [];
  let batchesBeforeCommit = -1;
  let batchesRun = 0;
  const stopped = await trainModel(
    first,
    { train: TRAIN },
    params('adam'),
    {
      onBatchEnd: () => {
        batchesRun++;
        if (batchesRun === 7) control.stop();
      },
      onEpochCommitted: async (progress) => {
        commits.push(progress);
        batchesBeforeCommit = batchesRun;
        optimizerState = await captureOptimizerState(first.optimizer);
        weights = first.getWeights().map((w) => w.clone());
      },
    },
    control,
    { yieldToEventLoop: noWait, commitStart: true },
  );
  expect(stopped).toMatchObject({ end: 'stopped', epochsCompleted: 0, batchesRun: 7 });
  expect(commits.map((c) => c.epochsCompleted)).toEqual([0]);
  expect(batchesBeforeCommit).toBe(0);
  expect(commits[0]).toMatchObject({ history: [], shuffleSeed: 4 });
  const initial = createTinyModel();
  expect(weights.map((w) => w.dataSync().slice())).toEqual(weightsOf(initial));
  initial.dispose();

  const resumed = createTinyModel();
  // Different starting weights, so only the restored ones can give the uninterrupted result.
  resumed.setWeights(resumed.getWeights().map((w) => tf.zerosLike(w)));
  resumed.setWeights(weights);
  tf.dispose(weights);
  const outcome = await trainModel(
    resumed,
    { train: TRAIN },
    params('adam'),
    {},
    new RunControl(),
    {
      yieldToEventLoop: noWait,
      commitStart: true,
      resumeFrom: { ...commits[0], optimizerState },
    },
  );
  expect(outcome.epochsCompleted).toBe(3);
  expect(weightsOf(resumed)).toEqual(weightsOf(uninterrupted));
  for (const model of [uninterrupted, first, resumed]) model.dispose();
});
