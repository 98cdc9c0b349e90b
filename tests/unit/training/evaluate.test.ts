import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import { NUM_CLASSES, PIXELS_PER_IMAGE } from '../../../src/config/dataset';
import { evaluateModel } from '../../../src/training/evaluate';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * A model whose probabilities depend only on pixel 0 (0 or 1 after scaling):
 * logits = bias + pixel0 · w, so every prediction can be worked out by hand.
 */
function pixelZeroModel(bias: number[], w: number[]): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({ units: NUM_CLASSES, activation: 'softmax' }),
    ],
  });
  const kernel = new Float32Array(PIXELS_PER_IMAGE * NUM_CLASSES);
  kernel.set(w, 0);
  model.layers[1].setWeights([
    tf.tensor2d(kernel, [PIXELS_PER_IMAGE, NUM_CLASSES]),
    tf.tensor1d(bias),
  ]);
  return model;
}

function softmax(logits: number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

test('loss, accuracy, confusion, per-class accuracy and mistakes match a hand computation', async () => {
  // pixel0 = 0 → class 3 most likely; pixel0 = 1 → class 5 most likely.
  const bias = [0, 0, 0, 2, 0, 0, 0, 0, 0, 0];
  const w = [0, 0, 0, -2, 0, 4, 0, 0, 0, 0];
  const model = pixelZeroModel(bias, w);
  const pixelZero = [0, 0, 1, 1, 0, 1];
  const labels = [3, 1, 5, 3, 3, 5];
  const images = new Uint8Array(labels.length * PIXELS_PER_IMAGE);
  pixelZero.forEach((p, i) => (images[i * PIXELS_PER_IMAGE] = p * 255));

  const probsOff = softmax(bias);
  const probsOn = softmax(bias.map((b, c) => b + w[c]));
  const probs = pixelZero.map((p) => (p ? probsOn : probsOff));
  const expectedLoss = labels.reduce((s, label, i) => s - Math.log(probs[i][label]), 0) / 6;

  const before = tf.memory().numTensors;
  // Batch size 4 makes the last batch partial (4 + 2).
  const result = await evaluateModel(
    model,
    { images, labels: Uint8Array.from(labels) },
    { batchSize: 4 },
  );
  expect(tf.memory().numTensors).toBe(before);

  expect(result.count).toBe(6);
  expect(result.loss).toBeCloseTo(expectedLoss, 5);
  // Predictions: 3, 3, 5, 5, 3, 5 → rows 1 (true 1) and 3 (true 3) are wrong.
  expect(result.accuracy).toBeCloseTo(4 / 6, 10);
  const expectedConfusion = Array.from({ length: 10 }, () => new Array(10).fill(0));
  expectedConfusion[3][3] = 2;
  expectedConfusion[1][3] = 1;
  expectedConfusion[5][5] = 2;
  expectedConfusion[3][5] = 1;
  expect(result.confusion).toEqual(expectedConfusion);
  expect(result.perClassAccuracy[3]).toBeCloseTo(2 / 3, 10);
  expect(result.perClassAccuracy[1]).toBe(0);
  expect(result.perClassAccuracy[5]).toBe(1);
  expect(result.perClassAccuracy[0]).toBeNaN();
  // Most confident first: probsOn[5] > probsOff[3].
  expect(probsOn[5]).toBeGreaterThan(probsOff[3]);
  expect(result.misclassified.map((m) => [m.index, m.trueLabel, m.predictedLabel])).toEqual([
    [3, 3, 5],
    [1, 1, 3],
  ]);
  expect(result.misclassified[0].confidence).toBeCloseTo(probsOn[5], 5);
  expect(result.misclassified[1].confidence).toBeCloseTo(probsOff[3], 5);
  model.dispose();
});

test('an empty split gives NaN loss and accuracy and no tensors', async () => {
  const model = pixelZeroModel(new Array(10).fill(0), new Array(10).fill(0));
  const result = await evaluateModel(model, {
    images: new Uint8Array(0),
    labels: new Uint8Array(0),
  });
  expect(result.count).toBe(0);
  expect(result.loss).toBeNaN();
  expect(result.accuracy).toBeNaN();
  expect(result.misclassified).toEqual([]);
  model.dispose();
});
