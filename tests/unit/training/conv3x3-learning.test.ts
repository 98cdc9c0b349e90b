/**
 * Training on our 3×3 kernels learns as training on tfjs's own convolutions: the seed CNN,
 * 2 epochs on the first 2,000 real training images, with three seeds on each path, then test
 * accuracy on the first 2,000 real test images. Same seeds, so the same initial weights, the
 * same row order and the same dropout masks: only floating-point rounding differs, and the
 * runs drift apart only as far as rounding takes them. Also: no growth of tensors, tfjs's
 * allocations or the WebAssembly heap from one epoch to the next.
 *
 * WASM in Node (SIMD128, one thread), as seed-cnn-learning.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, expect, test } from 'vitest';
import { createModel } from '../../../src/model/architectures';
import { initBackend } from '../../../src/training/backend/backend';
import { wasmConv3x3Calls } from '../../../src/training/backend/wasm-conv3x3';
import { heapMemoryOf, isWasmBackendInternals } from '../../../src/training/backend/wasm-heap';
import { evaluateModel } from '../../../src/training/evaluate';
import { RunControl } from '../../../src/training/run-control';
import type { WasmConvKernelChoice } from '../../../src/training/run-types';
import { trainModel } from '../../../src/training/train-loop';
import type { TrainingParams } from '../../../src/training/training-params';
import { loadRealSplit } from './real-data';

const TRAIN_IMAGES = 2000;
const TEST_IMAGES = 2000;
const SEEDS = [1, 2, 3];

/** tf.memory() and the heap's size at an epoch's end. */
interface EpochEnd {
  numTensors: number;
  numBytes: number;
  heapBytes: number;
}

async function trainAndTest(
  wasmConvKernels: WasmConvKernelChoice,
  seed: number,
): Promise<{ accuracy: number; epochEnds: EpochEnd[] }> {
  await initBackend({ preference: 'wasm', allowSoftwareWebgl: false, wasmConvKernels }, 'worker');
  const backend: unknown = tf.backend();
  if (!isWasmBackendInternals(backend)) throw new Error('not tfjs-backend-wasm');
  const heap = heapMemoryOf(backend)!;
  const params: TrainingParams = {
    architectureId: 'seed-cnn',
    epochs: 2,
    batchSize: 64,
    learningRate: 0.001,
    optimizer: 'adam',
    validationFraction: 0,
    seed,
  };
  const model = createModel('seed-cnn', { seed });
  const epochEnds: EpochEnd[] = [];
  const outcome = await trainModel(
    model,
    { train: loadRealSplit('train', TRAIN_IMAGES) },
    params,
    {
      onEpochEnd: () => {
        const { numTensors, numBytes } = tf.memory();
        epochEnds.push({ numTensors, numBytes, heapBytes: heap.buffer.byteLength });
      },
    },
    new RunControl(),
  );
  expect(outcome.end).toBe('completed');
  const { accuracy } = await evaluateModel(model, loadRealSplit('test', TEST_IMAGES));
  model.dispose();
  return { accuracy, epochEnds };
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

test('2 epochs on 2,000 real images reach the test accuracy of tfjs convolutions, seed for seed', async () => {
  const before = wasmConv3x3Calls();
  const ours = [];
  for (const seed of SEEDS) ours.push(await trainAndTest('auto', seed));
  const calls = wasmConv3x3Calls();
  expect(calls.filterGradient - before.filterGradient).toBeGreaterThan(0);
  const theirs = [];
  for (const seed of SEEDS) theirs.push(await trainAndTest('off', seed));
  // Today's path never touches our kernels.
  expect(wasmConv3x3Calls()).toEqual(calls);

  const oldAccuracies = theirs.map((r) => r.accuracy);
  const newAccuracies = ours.map((r) => r.accuracy);
  const spread = Math.max(...oldAccuracies) - Math.min(...oldAccuracies);
  console.info(
    `seed CNN, 2 epochs on ${TRAIN_IMAGES} images, test accuracy by seed ${SEEDS.join(', ')}: ` +
      `tfjs convolutions ${oldAccuracies.join(', ')}; ours ${newAccuracies.join(', ')}`,
  );
  // Well above chance (0.1) on every seed: 2 epochs on 2,000 images vary a lot by seed.
  for (const accuracy of newAccuracies) expect(accuracy).toBeGreaterThan(0.4);
  // Within the old path's spread over seeds: the mean of ours inside its range, and each seed's
  // accuracy no further from the old one's than the seeds are from each other.
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  expect(mean(newAccuracies)).toBeGreaterThanOrEqual(Math.min(...oldAccuracies));
  expect(mean(newAccuracies)).toBeLessThanOrEqual(Math.max(...oldAccuracies));
  SEEDS.forEach((_, i) => {
    expect(Math.abs(newAccuracies[i] - oldAccuracies[i])).toBeLessThanOrEqual(spread);
  });

  // No growth from the first epoch's end to the second's, on either path.
  for (const { epochEnds } of [...ours, ...theirs]) {
    expect(epochEnds).toHaveLength(2);
    expect(epochEnds[1]).toEqual(epochEnds[0]);
  }
}, 3_600_000);
