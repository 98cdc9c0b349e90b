import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  installConvGradientRewrite,
  isConvGradientRewriteInstalled,
  uninstallConvGradientRewrite,
} from '../../../src/training/backend/conv-gradient';
import { idxFile } from '../../support/fixtures';

const TOLERANCE = 1e-4;
const IDX_IMAGES_HEADER_BYTES = 16;
const IMAGE_SIDE_PX = 28;

/** The first `count` real training images: float32 [count, 28, 28, 1] in [0, 1]. */
function realImages(count: number): tf.Tensor4D {
  const bytes = gunzipSync(readFileSync(idxFile('train-images-idx3-ubyte.gz')));
  const pixels = bytes.subarray(
    IDX_IMAGES_HEADER_BYTES,
    IDX_IMAGES_HEADER_BYTES + count * IMAGE_SIDE_PX * IMAGE_SIDE_PX,
  );
  return tf.tidy(() =>
    tf.tensor4d(
      Float32Array.from(pixels, (p) => p / 255),
      [count, IMAGE_SIDE_PX, IMAGE_SIDE_PX, 1],
    ),
  );
}

/** Seeded float32 4-D tensors; typed as 4-D for conv2d. */
function uniform4d(shape: [number, number, number, number], seed: number): tf.Tensor4D {
  return tf.randomUniform(shape, 0, 1, 'float32', seed) as tf.Tensor4D;
}

function normal4d(
  shape: [number, number, number, number],
  stdDev: number,
  seed: number,
): tf.Tensor4D {
  return tf.randomNormal(shape, 0, stdDev, 'float32', seed) as tf.Tensor4D;
}

type ConvArgs = {
  stride: number;
  pad: 'same' | 'valid';
};

/**
 * Gradients of sum(conv2d(x, W) · weights) w.r.t. x and W, i.e. the Conv2D gradient for an
 * upstream dy equal to `weights`, with whichever gradient is registered right now.
 */
function convGradients(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  upstream: tf.Tensor4D,
  { stride, pad }: ConvArgs,
): [tf.Tensor4D, tf.Tensor4D] {
  const gradFn = tf.grads((xs: tf.Tensor, w: tf.Tensor) =>
    tf.sum(tf.mul(tf.conv2d(xs as tf.Tensor4D, w as tf.Tensor4D, stride, pad), upstream)),
  );
  const [dx, dw] = gradFn([x, filter]);
  return [dx as tf.Tensor4D, dw as tf.Tensor4D];
}

function maxAbsDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Rewritten and stock gradients for the same inputs: [rewritten dx, dW], [stock dx, dW]. */
function compareGradients(
  batch: number,
  sizePx: number,
  inChannels: number,
  outChannels: number,
  args: ConvArgs,
): { dxDiff: number; dwDiff: number; dxScale: number; dwScale: number; shapes: number[][] } {
  return tf.tidy(() => {
    const x = uniform4d([batch, sizePx, sizePx, inChannels], 1);
    const filter = normal4d([3, 3, inChannels, outChannels], 0.2, 2);
    const outSizePx = args.pad === 'same' ? Math.ceil(sizePx / args.stride) : 0;
    const forwardShape = tf.conv2d(x, filter, args.stride, args.pad).shape;
    expect(outSizePx === 0 || forwardShape[1] === outSizePx).toBe(true);
    const upstream = normal4d(forwardShape, 1, 3);

    installConvGradientRewrite();
    const [dxRewrite, dwRewrite] = convGradients(x, filter, upstream, args);
    uninstallConvGradientRewrite();
    const [dxStock, dwStock] = convGradients(x, filter, upstream, args);

    return {
      dxDiff: maxAbsDifference(dxRewrite, dxStock),
      dwDiff: maxAbsDifference(dwRewrite, dwStock),
      dxScale: tf.max(tf.abs(dxStock)).dataSync()[0],
      dwScale: tf.max(tf.abs(dwStock)).dataSync()[0],
      shapes: [dxRewrite.shape, dxStock.shape, dwRewrite.shape, dwStock.shape],
    };
  });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

afterEach(() => {
  uninstallConvGradientRewrite();
});

describe('conv2d-only Conv2D gradient', () => {
  // The channel transitions the six architectures use (the first conv sees 1 channel).
  const CHANNELS: [number, number][] = [
    [1, 64],
    [64, 64],
    [64, 32],
    [32, 32],
  ];
  const SIZE_PX = 7;

  for (const pad of ['same', 'valid'] as const) {
    for (const batch of [1, 3]) {
      for (const [inChannels, outChannels] of CHANNELS) {
        it(`matches stock for ${pad}, batch ${batch}, ${inChannels}→${outChannels}`, () => {
          const before = tf.memory().numTensors;
          const result = compareGradients(batch, SIZE_PX, inChannels, outChannels, {
            stride: 1,
            pad,
          });
          const [dxRewrite, dxStock, dwRewrite, dwStock] = result.shapes;
          expect(dxRewrite).toEqual([batch, SIZE_PX, SIZE_PX, inChannels]);
          expect(dxRewrite).toEqual(dxStock);
          expect(dwRewrite).toEqual([3, 3, inChannels, outChannels]);
          expect(dwRewrite).toEqual(dwStock);
          // Guard against a vacuous comparison of two all-zero gradients.
          expect(result.dxScale).toBeGreaterThan(0.1);
          expect(result.dwScale).toBeGreaterThan(0.1);
          expect(result.dxDiff).toBeLessThan(TOLERANCE);
          expect(result.dwDiff).toBeLessThan(TOLERANCE);
          expect(tf.memory().numTensors).toBe(before);
        });
      }
    }
  }

  it('matches stock on a rectangular, non-square valid case', () => {
    const result = tf.tidy(() => {
      const x = uniform4d([2, 6, 9, 3], 4);
      const filter = normal4d([3, 3, 3, 5], 0.2, 5);
      const upstream = normal4d([2, 4, 7, 5], 1, 6);
      installConvGradientRewrite();
      const rewritten = convGradients(x, filter, upstream, { stride: 1, pad: 'valid' });
      uninstallConvGradientRewrite();
      const stock = convGradients(x, filter, upstream, { stride: 1, pad: 'valid' });
      return [maxAbsDifference(rewritten[0], stock[0]), maxAbsDifference(rewritten[1], stock[1])];
    });
    expect(result[0]).toBeLessThan(TOLERANCE);
    expect(result[1]).toBeLessThan(TOLERANCE);
  });

  it('falls back to the stock gradient for stride 2', () => {
    const before = tf.memory().numTensors;
    const result = compareGradients(3, 8, 4, 6, { stride: 2, pad: 'same' });
    expect(result.shapes[2]).toEqual([3, 3, 4, 6]);
    expect(result.dxScale).toBeGreaterThan(0.1);
    expect(result.dxDiff).toBe(0);
    expect(result.dwDiff).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('installs idempotently and uninstalls back to the stock gradient', () => {
    const stock = tf.getGradient('Conv2D');
    expect(stock).toBeDefined();
    expect(isConvGradientRewriteInstalled()).toBe(false);

    installConvGradientRewrite();
    const rewritten = tf.getGradient('Conv2D');
    expect(rewritten).not.toBe(stock);
    expect(rewritten?.inputsToSave).toEqual(['x', 'filter']);
    expect(isConvGradientRewriteInstalled()).toBe(true);
    installConvGradientRewrite();
    expect(tf.getGradient('Conv2D')).toBe(rewritten);

    uninstallConvGradientRewrite();
    expect(isConvGradientRewriteInstalled()).toBe(false);
    expect(tf.getGradient('Conv2D')?.gradFunc).toBe(stock?.gradFunc);
    uninstallConvGradientRewrite();
    expect(tf.getGradient('Conv2D')?.gradFunc).toBe(stock?.gradFunc);
  });

  it('trains one step of a small conv model to the same weights as stock', async () => {
    const SEED = 7;
    const BATCH = 8;
    const xs = realImages(BATCH);
    const ys = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10));

    /** Weights after one SGD step from a seeded initialisation. */
    async function weightsAfterOneStep(withRewrite: boolean): Promise<Float32Array[]> {
      if (withRewrite) installConvGradientRewrite();
      else uninstallConvGradientRewrite();
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({
            inputShape: [IMAGE_SIDE_PX, IMAGE_SIDE_PX, 1],
            filters: 8,
            kernelSize: 3,
            padding: 'same',
            activation: 'relu',
            kernelInitializer: tf.initializers.glorotUniform({ seed: SEED }),
          }),
          tf.layers.conv2d({
            filters: 4,
            kernelSize: 3,
            padding: 'valid',
            activation: 'relu',
            kernelInitializer: tf.initializers.glorotUniform({ seed: SEED + 1 }),
          }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({
            units: 10,
            activation: 'softmax',
            kernelInitializer: tf.initializers.glorotUniform({ seed: SEED + 2 }),
          }),
        ],
      });
      const optimizer = tf.train.sgd(0.5);
      model.compile({ optimizer, loss: 'categoricalCrossentropy' });
      const initial = model.getWeights().map((w) => (w.dataSync() as Float32Array).slice());
      const profile = await tf.profile(async () => {
        await model.trainOnBatch(xs, ys);
      });
      // The rewrite must really be on the training path (relu conv layers reach Conv2D).
      const usedBackpropKernels = profile.kernelNames.filter((name) =>
        name.startsWith('Conv2DBackprop'),
      );
      expect(usedBackpropKernels.length > 0).toBe(!withRewrite);
      const after = model.getWeights().map((w) => (w.dataSync() as Float32Array).slice());
      // The conv kernels must actually have moved, or the comparison proves nothing.
      expect(Math.max(...after[0].map((v, i) => Math.abs(v - initial[0][i])))).toBeGreaterThan(
        1e-3,
      );
      // A model does not own an optimizer instance it was given.
      model.dispose();
      optimizer.dispose();
      return after;
    }

    const before = tf.memory().numTensors;
    const stock = await weightsAfterOneStep(false);
    const rewritten = await weightsAfterOneStep(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(rewritten.length).toBe(stock.length);
    for (let i = 0; i < stock.length; i++) {
      const diff = Math.max(...stock[i].map((v, j) => Math.abs(v - rewritten[i][j])));
      expect(diff).toBeLessThan(TOLERANCE);
    }
    tf.dispose([xs, ys]);
  });
});
