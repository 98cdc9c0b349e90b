/**
 * The seed CNN learns on real images: two epochs on 1,024 real training images lower the loss
 * and lift accuracy well above chance, on held-out test images too.
 *
 * Backend: WASM (SIMD, one thread), in Node, not tfjs' `cpu` backend: the seed CNN trains
 * there at about 1.8 samples/s even with the conv-gradient rewrite (0.08
 * without it), so 2,048 samples would take 19 minutes; WASM with the rewrite runs the same
 * kernels' maths at about 49 samples/s (BENCHMARKS.md). The rewrite's gradients are checked
 * against tfjs' stock ones on `cpu` in conv-gradient.test.ts and backend.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import { createModel } from '../../../src/model/architectures';
import { initBackend } from '../../../src/training/backend/backend';
import { evaluateModel } from '../../../src/training/evaluate';
import { trainModel } from '../../../src/training/train-loop';
import { RunControl } from '../../../src/training/run-control';
import type { EpochMetrics } from '../../../src/training/run-types';
import type { TrainingParams } from '../../../src/training/training-params';
import { loadRealSplit } from './real-data';

const TRAIN_IMAGES = 1024;
const TEST_IMAGES = 1000;
const CHANCE_ACCURACY = 0.1;

beforeAll(async () => {
  const info = await initBackend({ preference: 'wasm', allowSoftwareWebgl: false }, 'main-thread');
  expect(info.name).toBe('wasm');
});

test('two epochs on 1,024 real images lower the loss and lift accuracy above chance', async () => {
  const params: TrainingParams = {
    architectureId: 'seed-cnn',
    epochs: 2,
    batchSize: 64,
    learningRate: 0.001,
    optimizer: 'adam',
    validationFraction: 0,
    seed: 7,
  };
  const model = createModel('seed-cnn', { seed: params.seed });
  const epochs: EpochMetrics[] = [];
  const tensorsAtEpochEnd: number[] = [];
  const started = performance.now();
  const outcome = await trainModel(
    model,
    { train: loadRealSplit('train', TRAIN_IMAGES) },
    params,
    {
      onEpochEnd: (m) => {
        epochs.push(m);
        tensorsAtEpochEnd.push(tf.memory().numTensors);
      },
    },
    new RunControl(),
  );
  const seconds = (performance.now() - started) / 1000;
  const evaluation = await evaluateModel(model, loadRealSplit('test', TEST_IMAGES));
  console.info(
    `seed CNN, wasm, batch 64: ${((TRAIN_IMAGES * params.epochs) / seconds).toFixed(1)} samples/s; ` +
      `epochs ${JSON.stringify(epochs.map((e) => [e.loss.toFixed(3), e.accuracy.toFixed(3)]))}; ` +
      `test accuracy ${evaluation.accuracy}`,
  );

  expect(outcome.end).toBe('completed');
  expect(epochs).toHaveLength(2);
  expect(epochs[1].loss).toBeLessThan(epochs[0].loss);
  expect(epochs[1].accuracy).toBeGreaterThan(3 * CHANCE_ACCURACY);
  expect(evaluation.count).toBe(TEST_IMAGES);
  expect(evaluation.accuracy).toBeGreaterThan(4 * CHANCE_ACCURACY);
  expect(tensorsAtEpochEnd[1]).toBe(tensorsAtEpochEnd[0]);
  model.dispose();
}, 600_000);
