import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { PIXELS_PER_IMAGE } from '../../../src/config/dataset';
import {
  BatchGatherer,
  createRandom,
  shuffleInPlace,
  splitForValidation,
} from '../../../src/training/batches';
import { createOptimizer } from '../../../src/training/optimizers';
import { SGD_MOMENTUM } from '../../../src/training/training-params';
import type { SplitArrays } from '../../../src/training/run-types';
import { loadRealSplit } from './real-data';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A split of `count` zero images whose labels are `i % 10`, for size-only checks. */
function blankSplit(count: number): SplitArrays {
  return {
    images: new Uint8Array(count * PIXELS_PER_IMAGE),
    labels: Uint8Array.from({ length: count }, (_, i) => i % 10),
  };
}

describe('splitForValidation (Keras validation_split)', () => {
  test.each([
    [60_000, 0.2, 48_000, 12_000],
    [1_024, 0.2, 819, 205],
    [2_000, 0.1, 1_800, 200],
    [100, 0, 100, 0],
    [7, 0.5, 3, 4],
  ])('%i rows × %f → %i train / %i validation', (count, fraction, trainCount, valCount) => {
    const { train, validation } = splitForValidation(blankSplit(count), fraction);
    expect(train.labels.length).toBe(trainCount);
    expect(validation.labels.length).toBe(valCount);
    expect(train.images.length).toBe(trainCount * PIXELS_PER_IMAGE);
    expect(validation.images.length).toBe(valCount * PIXELS_PER_IMAGE);
  });

  test('validation is the tail of the file, unshuffled, as views', () => {
    const data = loadRealSplit('train', 50);
    const { train, validation } = splitForValidation(data, 0.2);
    expect(Array.from(validation.labels)).toEqual(Array.from(data.labels.subarray(40)));
    expect(validation.images[0]).toBe(data.images[40 * PIXELS_PER_IMAGE]);
    expect(train.images.buffer).toBe(data.images.buffer);
  });

  test('rejects a fraction outside [0, 1)', () => {
    expect(() => splitForValidation(blankSplit(10), 1)).toThrow(/Validation fraction/);
    expect(() => splitForValidation(blankSplit(10), -0.1)).toThrow(/Validation fraction/);
  });
});

describe('seeded shuffle', () => {
  test('same seed, same permutation; different seed, different one', () => {
    const shuffled = (seed: number) => {
      const order = Uint32Array.from({ length: 100 }, (_, i) => i);
      const random = createRandom(seed);
      shuffleInPlace(order, random);
      shuffleInPlace(order, random);
      return Array.from(order);
    };
    expect(shuffled(3)).toEqual(shuffled(3));
    expect(shuffled(3)).not.toEqual(shuffled(4));
    expect([...shuffled(3)].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 100 }, (_, i) => i),
    );
    expect(shuffled(3)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

describe('BatchGatherer', () => {
  test('gathers the chosen real rows, scaled to [0, 1] float32, labels one-hot', () => {
    const data = loadRealSplit('train', 20);
    const gatherer = new BatchGatherer(data, 4);
    const before = tf.memory().numTensors;
    const rows = [7, 2, 19];
    const { xs, ys } = gatherer.gather(rows);
    expect(xs.shape).toEqual([3, 28, 28, 1]);
    expect(xs.dtype).toBe('float32');
    const pixels = xs.dataSync();
    for (let i = 0; i < rows.length; i++) {
      for (const p of [0, 200, 400, 783]) {
        const expected = data.images[rows[i] * PIXELS_PER_IMAGE + p] / 255;
        expect(pixels[i * PIXELS_PER_IMAGE + p]).toBeCloseTo(expected, 6);
      }
    }
    expect(Math.max(...pixels)).toBeLessThanOrEqual(1);
    const oneHot = ys.arraySync();
    rows.forEach((row, i) => {
      expect(oneHot[i].indexOf(1)).toBe(data.labels[row]);
      expect(oneHot[i].reduce((a, b) => a + b, 0)).toBe(1);
    });
    xs.dispose();
    ys.dispose();
    // Reusing the buffer must not change tensors already made.
    const first = gatherer.gatherRange(0, 2);
    const firstPixels = first.xs.dataSync().slice();
    const second = gatherer.gatherRange(10, 2);
    expect(first.xs.dataSync()).toEqual(firstPixels);
    for (const t of [first.xs, first.ys, second.xs, second.ys]) t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('refuses a batch larger than its buffer', () => {
    const gatherer = new BatchGatherer(loadRealSplit('train', 10), 2);
    expect(() => gatherer.gather([0, 1, 2])).toThrow(/Batch of 3/);
  });
});

describe('createOptimizer', () => {
  test('builds each kind with the given learning rate', () => {
    const adam = createOptimizer({ optimizer: 'adam', learningRate: 0.002 });
    expect(adam).toBeInstanceOf(tf.AdamOptimizer);
    expect(adam.getConfig().learningRate).toBe(0.002);
    const sgd = createOptimizer({ optimizer: 'sgd-momentum', learningRate: 0.01 });
    expect(sgd).toBeInstanceOf(tf.MomentumOptimizer);
    expect(sgd.getConfig().momentum).toBe(SGD_MOMENTUM);
    expect(createOptimizer({ optimizer: 'rmsprop', learningRate: 0.001 })).toBeInstanceOf(
      tf.RMSPropOptimizer,
    );
    expect(() => createOptimizer({ optimizer: 'adam', learningRate: 0 })).toThrow(/Learning rate/);
    for (const o of [adam, sgd]) o.dispose();
  });
});
