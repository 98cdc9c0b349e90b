import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { ARCHITECTURES } from '../../../src/model/architecture-catalog';
import { createModel, createSeedCnn } from '../../../src/model/architectures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const countOf = (weights: tf.LayerVariable[]): number =>
  weights.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);

describe('the six architectures of the seed table', () => {
  test.each([
    ['conv1', 607_818, 607_818],
    ['conv2', 644_746, 644_746],
    ['conv2-pool2', 857_738, 857_738],
    ['conv3-pool2', 894_666, 894_666],
    ['conv3-pool2-bn', 894_926, 894_796],
    ['seed-cnn', 484_302, 484_172],
  ] as const)('%s has %i parameters, %i trainable', (id, total, trainable) => {
    const model = createModel(id);
    try {
      expect(model.countParams()).toBe(total);
      expect(countOf(model.trainableWeights)).toBe(trainable);
      // The catalog the UI shows without loading tfjs says the same.
      const info = ARCHITECTURES.find((a) => a.id === id)!;
      expect([info.totalParams, info.trainableParams]).toEqual([total, trainable]);
      expect(model.inputs[0].shape).toEqual([null, 28, 28, 1]);
      expect(model.outputs[0].shape).toEqual([null, 10]);
    } finally {
      model.dispose();
    }
  });

  test('every layer has an explicit, unique, stable name (Keras conversion needs them)', () => {
    for (const { id } of ARCHITECTURES) {
      const first = createModel(id);
      const second = createModel(id);
      const names = first.layers.map((l) => l.name);
      expect(new Set(names).size).toBe(names.length);
      expect(second.layers.map((l) => l.name)).toEqual(names);
      // tfjs' auto-generated names end in _<number> after the class name, e.g. conv2d_Conv2D3.
      for (const name of names) expect(name).not.toMatch(/_[A-Z][A-Za-z0-9]+\d+$/);
      first.dispose();
      second.dispose();
    }
  });

  test('the seed CNN has the seed project layer order', () => {
    const model = createSeedCnn();
    expect(model.layers.map((l) => l.getClassName())).toEqual([
      'BatchNormalization',
      'Conv2D',
      'Conv2D',
      'MaxPooling2D',
      'Dropout',
      'Conv2D',
      'Conv2D',
      'MaxPooling2D',
      'Dropout',
      'Flatten',
      'Dense',
      'Dropout',
      'Dense',
      'BatchNormalization',
      'Dense',
    ]);
    model.dispose();
  });

  test('Keras-default initialisation: Glorot-uniform kernels, zero biases, BN 0.99 / 1e-3', () => {
    const model = createSeedCnn({ seed: 1 });
    for (const layer of model.layers) {
      const config = layer.getConfig();
      if (layer.getClassName() === 'Conv2D' || layer.getClassName() === 'Dense') {
        // Glorot-uniform is variance scaling with scale 1 over the mean of fan-in and fan-out.
        expect(config.kernelInitializer).toMatchObject({
          className: 'VarianceScaling',
          config: { scale: 1, mode: 'fanAvg', distribution: 'uniform' },
        });
        expect(config.biasInitializer).toMatchObject({ className: 'Zeros' });
        const [kernel, bias] = layer.getWeights();
        const shape = kernel.shape as number[];
        const [fanIn, fanOut] =
          shape.length === 4
            ? [shape[0] * shape[1] * shape[2], shape[0] * shape[1] * shape[3]]
            : [shape[0], shape[1]];
        const limit = Math.sqrt(6 / (fanIn + fanOut));
        const maxAbs = tf.tidy(() => kernel.abs().max().dataSync()[0]);
        expect(maxAbs).toBeLessThanOrEqual(limit);
        expect(maxAbs).toBeGreaterThan(limit * 0.9);
        expect(tf.tidy(() => bias.abs().max().dataSync()[0])).toBe(0);
      }
      if (layer.getClassName() === 'BatchNormalization') {
        expect(config.momentum).toBe(0.99);
        expect(config.epsilon).toBe(1e-3);
      }
    }
    model.dispose();
  });

  test('the same seed gives the same initial weights', () => {
    const a = createSeedCnn({ seed: 42 });
    const b = createSeedCnn({ seed: 42 });
    const wa = a.getWeights();
    const wb = b.getWeights();
    for (let i = 0; i < wa.length; i++) {
      expect(Array.from(wa[i].dataSync())).toEqual(Array.from(wb[i].dataSync()));
    }
    a.dispose();
    b.dispose();
  });

  test('building and disposing a model leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    for (const { id } of ARCHITECTURES) createModel(id).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a forward pass gives a probability distribution over 10 classes', () => {
    const model = createSeedCnn({ seed: 3 });
    const sums = tf.tidy(() => {
      const xs = tf.randomUniform([4, 28, 28, 1]);
      return (model.predict(xs) as tf.Tensor).sum(1).arraySync() as number[];
    });
    for (const s of sums) expect(s).toBeCloseTo(1, 5);
    model.dispose();
  });
});
