/**
 * The JavaScript MaxPoolGrad kernel for tfjs-backend-wasm against tfjs's cpu backend (the
 * reference semantics: the first of equal maxima), in the same process: bit for bit where each
 * dx value has one contribution, ties included, for the architectures' 2×2/stride-2 pools and
 * for the general path (overlapping windows, padding, odd sizes). Also pins down the replaced
 * C++ kernel's bug that the replacement fixes. Inputs are real Fashion-MNIST images.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/training/backend/backend';
import {
  installWasmMaxPoolGrad,
  isWasmMaxPoolGradInstalled,
  uninstallWasmMaxPoolGrad,
} from '../../../src/training/backend/wasm-max-pool-grad';
import { idxFile } from '../../support/fixtures';

const IDX_IMAGES_HEADER_BYTES = 16;

type Shape4 = [number, number, number, number];

/** Plain values and shape, so the same input can be built on either backend. */
interface HostTensor {
  values: Float32Array;
  shape: Shape4;
}

interface PoolCase {
  name: string;
  filterSize: [number, number];
  strides: [number, number];
  pad: 'valid' | 'same';
}

/**
 * `channels` feature maps per real image, as a ReLU layer's output would look: each channel is
 * the image scaled and shifted by its own amounts, then ReLU'd. Pixel values repeat, so windows
 * hold equal maxima; dark areas become windows of zeros. Optionally cropped to `sizePx`.
 */
function reluFeatureMaps(count: number, channels: number, sizePx = 28): HostTensor {
  const bytes = gunzipSync(readFileSync(idxFile('train-images-idx3-ubyte.gz')));
  const values = new Float32Array(count * sizePx * sizePx * channels);
  let i = 0;
  for (let n = 0; n < count; n++) {
    for (let r = 0; r < sizePx; r++) {
      for (let c = 0; c < sizePx; c++) {
        const pixel = bytes[IDX_IMAGES_HEADER_BYTES + n * 784 + r * 28 + c] / 255;
        for (let ch = 0; ch < channels; ch++) {
          const scale = 0.5 + (1.5 * ch) / channels;
          const shift = -0.6 + (0.8 * ch) / channels;
          values[i++] = Math.max(0, pixel * scale + shift);
        }
      }
    }
  }
  return { values, shape: [count, sizePx, sizePx, channels] };
}

/** dx of sum(maxPool(x) · upstream) on `backendName`, with its registered MaxPoolGrad. */
async function maxPoolGradient(
  backendName: 'wasm' | 'cpu',
  input: HostTensor,
  poolCase: PoolCase,
): Promise<Float32Array> {
  await tf.setBackend(backendName);
  return tf.tidy(() => {
    const { filterSize, strides, pad } = poolCase;
    const x = tf.tensor4d(input.values, input.shape);
    const outShape = tf.maxPool(x, filterSize, strides, pad).shape;
    const upstream = tf.randomNormal(outShape, 0, 1, 'float32', 21);
    const dx = tf.grad((xs: tf.Tensor) =>
      tf.sum(tf.mul(tf.maxPool(xs as tf.Tensor4D, filterSize, strides, pad), upstream)),
    )(x);
    return dx.dataSync() as Float32Array;
  });
}

/** Windows of the 2×2/stride-2 pool holding two or more equal maxima. */
function countTiedWindows(input: HostTensor): number {
  const [n, h, w, c] = input.shape;
  let ties = 0;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r + 1 < h; r += 2) {
      for (let col = 0; col + 1 < w; col += 2) {
        for (let ch = 0; ch < c; ch++) {
          const at = (dr: number, dc: number) =>
            input.values[((b * h + r + dr) * w + col + dc) * c + ch];
          const window = [at(0, 0), at(0, 1), at(1, 0), at(1, 1)];
          const max = Math.max(...window);
          if (window.filter((v) => v === max).length > 1) ties++;
        }
      }
    }
  }
  return ties;
}

const POOL_2X2: PoolCase = {
  name: '2×2 stride 2',
  filterSize: [2, 2],
  strides: [2, 2],
  pad: 'valid',
};

beforeAll(async () => {
  const info = await initBackend({ preference: 'wasm', allowSoftwareWebgl: false }, 'worker');
  expect(info.name).toBe('wasm');
});

afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('JavaScript MaxPoolGrad on wasm', () => {
  it('is installed by initBackend on wasm', () => {
    expect(isWasmMaxPoolGradInstalled()).toBe(true);
  });

  it('matches the cpu backend bit for bit on ReLU-like maps of real images, ties included', async () => {
    const input = reluFeatureMaps(6, 16);
    expect(countTiedWindows(input)).toBeGreaterThan(1000);
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const wasm = await maxPoolGradient('wasm', input, POOL_2X2);
    await tf.setBackend('wasm');
    expect(tf.memory().numTensors).toBe(before);
    const cpu = await maxPoolGradient('cpu', input, POOL_2X2);
    expect(wasm.length).toBe(6 * 28 * 28 * 16);
    // One nonzero per window that has a positive maximum, the rest zeros.
    expect(wasm.filter((v) => v !== 0).length).toBeGreaterThan(1000);
    expect(Array.from(wasm)).toEqual(Array.from(cpu));
  });

  it('fixes the replaced kernel: it drops the gradient of windows without a positive value', async () => {
    // Image 0: a tie of 5s, then a window of zeros; image 1: two windows of negative values.
    const input: HostTensor = {
      values: Float32Array.from([5, 5, 0, 0, 5, 5, 0, 0, -3, -1, -2, -4, -5, -6, -7, -8]),
      shape: [2, 2, 4, 1],
    };
    const replacement = await maxPoolGradient('wasm', input, POOL_2X2);
    const cpu = await maxPoolGradient('cpu', input, POOL_2X2);
    uninstallWasmMaxPoolGrad();
    let original: Float32Array;
    try {
      original = await maxPoolGradient('wasm', input, POOL_2X2);
    } finally {
      installWasmMaxPoolGrad();
    }
    expect(Array.from(replacement)).toEqual(Array.from(cpu));
    const nonzeroPositions = (values: Float32Array) =>
      [...values.keys()].filter((i) => values[i] !== 0);
    // Reference: the first 5, the first 0, and the maxima −1 and −2 of image 1.
    expect(nonzeroPositions(cpu)).toEqual([0, 2, 9, 10]);
    // tfjs-backend-wasm 4.22's C++ kernel: only the last 5 gets a gradient.
    expect(nonzeroPositions(original)).toEqual([5]);
  });

  const generalCases: (PoolCase & { sizePx: number })[] = [
    {
      name: '3×3 stride 1 same (overlapping, padded)',
      filterSize: [3, 3],
      strides: [1, 1],
      pad: 'same',
      sizePx: 28,
    },
    { name: '3×3 stride 2 valid', filterSize: [3, 3], strides: [2, 2], pad: 'valid', sizePx: 28 },
    {
      name: '2×2 stride 2 same on 27×27 (padded)',
      filterSize: [2, 2],
      strides: [2, 2],
      pad: 'same',
      sizePx: 27,
    },
    {
      name: '2×2 stride 2 valid on 27×27 (last row and column uncovered)',
      filterSize: [2, 2],
      strides: [2, 2],
      pad: 'valid',
      sizePx: 27,
    },
  ];
  for (const poolCase of generalCases) {
    it(`matches the cpu backend for ${poolCase.name}`, async () => {
      const input = reluFeatureMaps(3, 8, poolCase.sizePx);
      const wasm = await maxPoolGradient('wasm', input, poolCase);
      const cpu = await maxPoolGradient('cpu', input, poolCase);
      expect(wasm.length).toBe(cpu.length);
      expect(wasm.filter((v) => v !== 0).length).toBeGreaterThan(100);
      let largest = 0;
      for (let i = 0; i < wasm.length; i++) largest = Math.max(largest, Math.abs(wasm[i] - cpu[i]));
      // Overlapping windows add several dy values into one dx: only the order may differ.
      expect(largest).toBeLessThan(1e-5);
    });
  }
});
