/**
 * The WASM BatchMatMul and bias (Add) gradient replacements: on tfjs-backend-wasm they give
 * the stock gradients' values (up to float32 summation order) through the fast kernels, they
 * defer to the stock gradients off WASM and for shapes they do not cover, and they leak no
 * tensors. Inputs are real Fashion-MNIST images.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createSeedCnn } from '../../../src/model/architectures';
import { initBackend } from '../../../src/training/backend/backend';
import { setOneChannelIm2col } from '../../../src/training/backend/conv-gradient';
import {
  areWasmGradientRewritesInstalled,
  installWasmGradientRewrites,
  uninstallWasmGradientRewrites,
} from '../../../src/training/backend/wasm-gradients';
import type { BackendRequest } from '../../../src/training/run-types';
import { idxFile } from '../../support/fixtures';

const IDX_IMAGES_HEADER_BYTES = 16;
const IDX_LABELS_HEADER_BYTES = 8;
const PIXELS = 784;
/** Relative to the largest stock gradient value: float32 sums in a different order. */
const RELATIVE_TOLERANCE = 1e-5;

/** The first `count` real training images as float32 [count, 784] in [0, 1], and labels. */
function realRows(count: number): { pixels: Float32Array; labels: Int32Array } {
  const images = gunzipSync(readFileSync(idxFile('train-images-idx3-ubyte.gz')));
  const labels = gunzipSync(readFileSync(idxFile('train-labels-idx1-ubyte.gz')));
  return {
    pixels: Float32Array.from(
      images.subarray(IDX_IMAGES_HEADER_BYTES, IDX_IMAGES_HEADER_BYTES + count * PIXELS),
      (p) => p / 255,
    ),
    labels: Int32Array.from(
      labels.subarray(IDX_LABELS_HEADER_BYTES, IDX_LABELS_HEADER_BYTES + count),
    ),
  };
}

async function switchToBackend(
  name: 'wasm' | 'cpu',
  extra: Partial<BackendRequest> = {},
): Promise<void> {
  const info = await initBackend(
    { preference: name, allowSoftwareWebgl: false, ...extra },
    'worker',
  );
  expect(info.name).toBe(name);
  expect(info.wasmGradientRewrites).toBe(true);
}

/** max |a − b| / max |b|, and max |b| (so a vacuous all-zero comparison shows). */
function relativeDifference(a: Float32Array, b: Float32Array): { diff: number; scale: number } {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return { diff: diff / scale, scale };
}

/** Three gradients as values, and the kernels (name and input shapes) that computed them. */
interface ProfiledGradients {
  grads: Float32Array[];
  kernels: string[];
}

/**
 * Gradients of sum(f(inputs) · upstream) w.r.t. the three inputs, with whichever gradients are
 * registered now, under tf.profile. Disposes the inputs and upstream.
 */
async function profiledGradients(
  f: (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.Tensor,
  inputs: [tf.Tensor, tf.Tensor, tf.Tensor],
  upstream: tf.Tensor,
): Promise<ProfiledGradients> {
  let grads: tf.Tensor[] = [];
  const profile = await tf.profile(() => {
    grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.mul(f(a, b, c), upstream)),
    )(inputs);
  });
  const values = grads.map((g) => g.dataSync() as Float32Array);
  tf.dispose([...inputs, upstream, ...grads]);
  return {
    grads: values,
    kernels: profile.kernels.map(
      (k) => `${k.name} ${k.inputShapes.map((s) => s?.join('×')).join(', ')}`,
    ),
  };
}

/** A Dense 784→32 ReLU layer on real images: gradients w.r.t. input, kernel and bias. */
function denseGradients(): Promise<ProfiledGradients> {
  const { pixels } = realRows(16);
  return profiledGradients(
    (a, w, b) => tf.relu(tf.add(tf.matMul(a, w), b)),
    [
      tf.tensor2d(pixels, [16, PIXELS]),
      tf.randomNormal([PIXELS, 32], 0, 0.05, 'float32', 3),
      tf.randomNormal([32], 0, 0.1, 'float32', 4),
    ],
    tf.randomNormal([16, 32], 0, 1, 'float32', 5),
  );
}

/** A 3×3 `same` conv with a bias and ReLU on real images: gradients w.r.t. x, filter, bias. */
function convBiasGradients(): Promise<ProfiledGradients> {
  const { pixels } = realRows(8);
  return profiledGradients(
    (a, w, b) => tf.relu(tf.add(tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), b)),
    [
      tf.tensor4d(pixels, [8, 28, 28, 1]),
      tf.randomNormal([3, 3, 1, 16], 0, 0.3, 'float32', 6),
      tf.randomNormal([16], 0, 0.1, 'float32', 7),
    ],
    tf.randomNormal([8, 28, 28, 16], 0, 1, 'float32', 8),
  );
}

/**
 * Runs `gradients` on wasm with the replacements, then with the stock gradients; checks that
 * no tensor leaked and that the three gradients agree up to summation order.
 */
async function rewrittenAndStockOnWasm(
  gradients: () => Promise<ProfiledGradients>,
): Promise<{ rewritten: { kernels: string[] }; stock: { kernels: string[] } }> {
  await switchToBackend('wasm');
  const before = tf.memory().numTensors;
  const rewritten = await gradients();
  uninstallWasmGradientRewrites();
  const stock = await gradients();
  expect(tf.memory().numTensors).toBe(before);
  expect(rewritten.grads).toHaveLength(3);
  for (let i = 0; i < 3; i++) {
    const { diff, scale } = relativeDifference(rewritten.grads[i], stock.grads[i]);
    expect(scale).toBeGreaterThan(0.01);
    expect(diff).toBeLessThan(RELATIVE_TOLERANCE);
  }
  return { rewritten, stock };
}

afterEach(() => {
  installWasmGradientRewrites();
});

afterAll(() => {
  uninstallWasmGradientRewrites();
});

describe('WASM gradient replacements', () => {
  it('are installed by initBackend, and install/uninstall are idempotent', async () => {
    await switchToBackend('wasm');
    expect(areWasmGradientRewritesInstalled()).toBe(true);
    const matMulGradient = tf.getGradient('BatchMatMul');
    installWasmGradientRewrites();
    expect(tf.getGradient('BatchMatMul')).toBe(matMulGradient);
    uninstallWasmGradientRewrites();
    expect(areWasmGradientRewritesInstalled()).toBe(false);
    const stock = tf.getGradient('BatchMatMul');
    expect(stock).not.toBe(matMulGradient);
    uninstallWasmGradientRewrites();
    expect(tf.getGradient('BatchMatMul')).toBe(stock);
    const info = await initBackend(
      { preference: 'wasm', allowSoftwareWebgl: false, wasmGradientRewrites: false },
      'worker',
    );
    expect(info.wasmGradientRewrites).toBe(false);
    expect(areWasmGradientRewritesInstalled()).toBe(false);
  });

  it('give the stock Dense gradients on wasm without transposed matMuls', async () => {
    const { rewritten, stock } = await rewrittenAndStockOnWasm(denseGradients);
    // Stock: dx = dy · Wᵀ and dW = xᵀ · dy as flagged matMuls on the original operands.
    expect(stock.kernels).toContain('BatchMatMul 16×784, 16×32');
    expect(stock.kernels).toContain('BatchMatMul 16×32, 784×32');
    // Replacement: the operand is transposed first, the matMul has no flags.
    expect(rewritten.kernels).toContain('Transpose 16×784');
    expect(rewritten.kernels).toContain('BatchMatMul 784×16, 16×32');
    expect(rewritten.kernels).toContain('Transpose 784×32');
    expect(rewritten.kernels).toContain('BatchMatMul 16×32, 32×784');
    expect(rewritten.kernels).not.toContain('BatchMatMul 16×784, 16×32');
  });

  it('give the stock conv bias gradient on wasm by pooling instead of a transposing sum', async () => {
    const { rewritten, stock } = await rewrittenAndStockOnWasm(convBiasGradients);
    // One full-size Sum is the forward pass's loss; stock adds the bias gradient's.
    const fullSizeSums = (kernels: string[]) => kernels.filter((k) => k === 'Sum 8×28×28×16');
    expect(fullSizeSums(stock.kernels)).toHaveLength(2);
    expect(fullSizeSums(rewritten.kernels)).toHaveLength(1);
    expect(rewritten.kernels).toContain('AvgPool 8×28×28×16');
  });

  for (const pad of ['same', 'valid'] as const) {
    it(`one-channel filter gradient by im2col equals the general rewrite on wasm (${pad})`, async () => {
      // Both are the conv2d-based path, which runs where our 3×3 kernels do not.
      await switchToBackend('wasm', { wasmConvKernels: 'off' });
      const { pixels } = realRows(8);
      const x = tf.tensor4d(pixels, [8, 28, 28, 1]);
      const filter = tf.randomNormal([3, 3, 1, 16], 0, 0.3, 'float32', 9);
      const outSizePx = pad === 'same' ? 28 : 26;
      const upstream = tf.randomNormal([8, outSizePx, outSizePx, 16], 0, 1, 'float32', 10);
      const filterGradient = async () => {
        let dw: tf.Tensor | undefined;
        const profile = await tf.profile(() => {
          dw = tf.grad((w: tf.Tensor) =>
            tf.sum(tf.mul(tf.conv2d(x, w as tf.Tensor4D, 1, pad), upstream)),
          )(filter);
        });
        const values = dw!.dataSync() as Float32Array;
        dw!.dispose();
        return { values, kernels: profile.kernels.map((k) => k.name) };
      };
      const before = tf.memory().numTensors;
      const im2col = await filterGradient();
      setOneChannelIm2col(false);
      let general: Awaited<ReturnType<typeof filterGradient>>;
      try {
        general = await filterGradient();
      } finally {
        setOneChannelIm2col(true);
      }
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, filter, upstream]);
      expect(im2col.values).toHaveLength(3 * 3 * 16);
      const { diff, scale } = relativeDifference(im2col.values, general.values);
      expect(scale).toBeGreaterThan(0.01);
      expect(diff).toBeLessThan(RELATIVE_TOLERANCE);
      // im2col: the patches convolution and one matMul; general: no matMul at all.
      expect(im2col.kernels).toContain('BatchMatMul');
      expect(general.kernels).not.toContain('BatchMatMul');
    });
  }

  it('defer to the stock gradients, bit for bit, on cpu', async () => {
    await switchToBackend('cpu');
    const installed = await convBiasGradients();
    const installedDense = await denseGradients();
    uninstallWasmGradientRewrites();
    const stock = await convBiasGradients();
    const stockDense = await denseGradients();
    expect(installed.kernels).toEqual(stock.kernels);
    expect(installedDense.kernels).toEqual(stockDense.kernels);
    for (let i = 0; i < 3; i++) {
      expect(Array.from(installed.grads[i])).toEqual(Array.from(stock.grads[i]));
      expect(Array.from(installedDense.grads[i])).toEqual(Array.from(stockDense.grads[i]));
    }
  });

  it('train the seed CNN on wasm like the stock gradients do', async () => {
    await switchToBackend('wasm');
    const batch = 32;
    const { pixels, labels } = realRows(batch);
    const xs = tf.tensor4d(pixels, [batch, 28, 28, 1]);
    const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
    const trainTwoSteps = async (): Promise<{ losses: number[]; weights: Float32Array }> => {
      const model = createSeedCnn({ seed: 5 });
      const optimizer = tf.train.adam(0.001);
      model.compile({ optimizer, loss: 'categoricalCrossentropy' });
      const losses: number[] = [];
      for (let step = 0; step < 2; step++) {
        losses.push((await model.trainOnBatch(xs, ys)) as number);
      }
      const kernel = model.getLayer('dense_256').getWeights()[0];
      const weights = kernel.dataSync() as Float32Array;
      model.dispose();
      optimizer.dispose();
      return { losses, weights };
    };
    const before = tf.memory().numTensors;
    const rewritten = await trainTwoSteps();
    uninstallWasmGradientRewrites();
    const stock = await trainTwoSteps();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([xs, ys]);

    expect(rewritten.losses[0]).toBe(stock.losses[0]); // the forward pass is untouched
    expect(Math.abs(rewritten.losses[1] - stock.losses[1])).toBeLessThan(1e-4);
    expect(rewritten.weights.length).toBe(1568 * 256);
    // After two Adam steps of 0.001 the kernels agree far below one step's size.
    const { diff, scale } = relativeDifference(rewritten.weights, stock.weights);
    expect(scale).toBeGreaterThan(0.01);
    expect(diff).toBeLessThan(1e-3);
  });
});
