/**
 * Helpers for testing our 3×3 convolution kernels outside tfjs: a plain WebAssembly memory with
 * a bump allocator (and a way to put a tensor flush against the memory's end, so any read past
 * it traps), references from tfjs's cpu backend, the error measure, and a runner that runs a
 * job's thread parts one after another on this thread, exactly as the pool splits them.
 */
import * as tf from '@tensorflow/tfjs';
import { createSeedCnn } from '../../../src/model/architectures';
import { initBackend } from '../../../src/training/backend/backend';
import type { ConvShape } from '../../../src/training/backend/conv3x3-geometry';
import type { Conv3x3Exports } from '../../../src/training/backend/conv3x3-kernels';
import type { HeapAllocator } from '../../../src/training/backend/conv3x3-passes';
import {
  finishFilterGradient,
  runPart,
  unitsOf,
  type PartDealer,
} from '../../../src/training/backend/conv3x3-jobs';
import type { KernelRunner } from '../../../src/training/backend/conv3x3-pool';
import {
  wasmConv3x3Calls,
  type WasmConv3x3Calls,
} from '../../../src/training/backend/wasm-conv3x3';
import type { InitBackendOptions } from '../../../src/training/backend/wasm';
import type { BackendRequest, SplitArrays } from '../../../src/training/run-types';
import { compileForTraining } from '../../../src/training/train-loop';

const PAGE_BYTES = 65_536;

/**
 * A memory of `pages` pages: blocks are handed out from the start; releasing the latest block
 * gives its room back (the kernels' workspaces come and go in that order).
 */
export class TestHeap implements HeapAllocator {
  readonly memory: WebAssembly.Memory;
  private top = 1024;
  /** The latest block and where the free room started before it. */
  private latest: { pointer: number; topBefore: number } | null = null;

  constructor(pages: number) {
    this.memory = new WebAssembly.Memory({ initial: pages });
  }

  allocate(bytes: number): number {
    const pointer = Math.ceil(this.top / 64) * 64;
    if (pointer + bytes > this.memory.buffer.byteLength) throw new Error('TestHeap: out of memory');
    this.latest = { pointer, topBefore: this.top };
    this.top = pointer + bytes;
    return pointer;
  }

  release(pointer: number): void {
    if (this.latest?.pointer !== pointer) return;
    this.top = this.latest.topBefore;
    this.latest = null;
  }

  /** Copies `values` to a fresh block; returns its offset. */
  put(values: Float32Array): number {
    const pointer = this.allocate(values.byteLength);
    new Float32Array(this.memory.buffer, pointer, values.length).set(values);
    return pointer;
  }

  /** Copies `values` so that they end exactly where the memory ends. */
  putAtEnd(values: Float32Array): number {
    const pointer = this.memory.buffer.byteLength - values.byteLength;
    if (pointer < this.top) throw new Error('TestHeap: no room at the end');
    new Float32Array(this.memory.buffer, pointer, values.length).set(values);
    return pointer;
  }

  read(pointer: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, pointer, length).slice();
  }
}

/** Pages for a heap that holds the tensors of `shape` and its workspaces, with room to spare. */
export function pagesFor(shape: ConvShape): number {
  const { batch, inHeightPx, inWidthPx, inChannels, outChannels } = shape;
  const floats = 4 * batch * inHeightPx * inWidthPx * Math.max(inChannels, outChannels, 8);
  return Math.ceil((floats * 4 + 8_000_000) / PAGE_BYTES);
}

/**
 * Random inputs at the scales training sees: x ≥ 0 (pixels, ReLU outputs), W Glorot-uniform,
 * dy normal; the bias centres each output channel, so ReLU zeroes about half of it (a test of
 * the fused ReLU that passes everything, or nothing, would prove little).
 */
export interface ConvData {
  x: Float32Array;
  filter: Float32Array;
  bias: Float32Array;
  dy: Float32Array;
}

export function randomConvData(shape: ConvShape, seed: number): ConvData {
  const { batch, inHeightPx, inWidthPx, inChannels, outHeightPx, outWidthPx, outChannels } = shape;
  const glorot = Math.sqrt(6 / (9 * (inChannels + outChannels)));
  const [x, filter, dy] = tf.tidy(() => [
    tf.randomUniform([batch, inHeightPx, inWidthPx, inChannels], 0, 1, 'float32', seed).dataSync(),
    tf
      .randomUniform([3, 3, inChannels, outChannels], -glorot, glorot, 'float32', seed + 1)
      .dataSync(),
    tf
      .randomNormal([batch, outHeightPx, outWidthPx, outChannels], 0, 1, 'float32', seed + 3)
      .dataSync(),
  ]) as Float32Array[];
  // The expected output of channel c for inputs of mean 1/2 is ½·ΣW[…, c]: subtract it, then
  // nudge even channels up and odd ones down so that a channel of one value is not all zero.
  const bias = new Float32Array(outChannels);
  for (let i = 0; i < filter.length; i++) bias[i % outChannels] -= 0.5 * filter[i];
  for (let c = 0; c < outChannels; c++) bias[c] += c % 2 === 0 ? 0.01 : -0.01;
  return { x, filter, bias, dy };
}

export interface ConvReference {
  y: Float32Array;
  /** relu(y + bias). */
  yBiasRelu: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
}

/**
 * The three passes by tfjs's own kernels on the active backend (the tests run it on `cpu`):
 * Conv2D, Conv2DBackpropInput (through conv2dTranspose) and Conv2DBackpropFilter.
 */
export function referencePasses(shape: ConvShape, data: ConvData): ConvReference {
  const { batch, inHeightPx, inWidthPx, inChannels, outHeightPx, outWidthPx, outChannels } = shape;
  const pad = shape.padTopPx === 1 ? 'same' : 'valid';
  const xShape: [number, number, number, number] = [batch, inHeightPx, inWidthPx, inChannels];
  return tf.tidy(() => {
    const x = tf.tensor4d(data.x, xShape);
    const w = tf.tensor4d(data.filter, [3, 3, inChannels, outChannels]);
    const dy = tf.tensor4d(data.dy, [batch, outHeightPx, outWidthPx, outChannels]);
    const y = tf.conv2d(x, w, 1, pad);
    const dw = tf
      .engine()
      .runKernel(
        'Conv2DBackpropFilter',
        { x, dy },
        { strides: [1, 1], pad, dataFormat: 'NHWC', filterShape: [3, 3, inChannels, outChannels] },
      ) as tf.Tensor;
    return {
      y: y.dataSync() as Float32Array,
      yBiasRelu: tf.relu(tf.add(y, tf.tensor1d(data.bias))).dataSync() as Float32Array,
      dx: tf.conv2dTranspose(dy, w, xShape, 1, pad).dataSync() as Float32Array,
      dw: dw.dataSync() as Float32Array,
    };
  });
}

/**
 * max |actual − expected| / max |expected|: the error relative to the output's scale (an
 * element-wise ratio is meaningless for outputs near zero).
 */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error('length mismatch');
  let maxDifference = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDifference = Math.max(maxDifference, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  if (Number.isNaN(maxDifference)) return Number.POSITIVE_INFINITY;
  return scale === 0 ? maxDifference : maxDifference / scale;
}

/**
 * Runs each job's `parts` parts one after another here. Part p of a job gets units
 * p, p + parts, …, one at a time (as if the threads had interleaved their takes), so image
 * offsets other than 0, every part's own scratch, every filter-gradient block and their adding
 * up are exercised; a part with no unit (fewer units than parts) takes no part.
 */
export function sequentialPartsRunner(kernels: Conv3x3Exports, parts: number): KernelRunner {
  return {
    threads: parts,
    run(job) {
      const units = unitsOf(job);
      for (let part = 0; part < parts; part++) {
        let next = part;
        const dealer: PartDealer = {
          next() {
            if (next >= units.count) return null;
            const unit = next;
            next += parts;
            return units.imagesOf(unit);
          },
          done() {},
        };
        runPart(kernels, job, part, dealer);
      }
      if (job.kind === 'filter-gradient') finishFilterGradient(kernels, job);
    },
    imagesByThread: () => [],
    dispose() {},
  };
}

/** A shape from NHWC sizes and padding. */
export function convShape(
  batch: number,
  heightPx: number,
  widthPx: number,
  inChannels: number,
  outChannels: number,
  pad: 'same' | 'valid',
): ConvShape {
  const p = pad === 'same' ? 1 : 0;
  return {
    batch,
    inHeightPx: heightPx,
    inWidthPx: widthPx,
    inChannels,
    outHeightPx: heightPx - 2 + 2 * p,
    outWidthPx: widthPx - 2 + 2 * p,
    outChannels,
    padTopPx: p,
    padLeftPx: p,
  };
}

/**
 * Every conv layer shape of the six architectures (batch 2), then an odd one: 7 input and 13
 * output channels (no multiple of 4) on a 5 × 7 image of batch 1.
 */
export const LAYER_SHAPES: readonly ConvShape[] = [
  convShape(2, 28, 28, 1, 64, 'same'),
  convShape(2, 28, 28, 1, 64, 'valid'),
  convShape(2, 28, 28, 64, 64, 'same'),
  convShape(2, 26, 26, 64, 64, 'valid'),
  convShape(2, 14, 14, 64, 64, 'same'),
  convShape(2, 14, 14, 64, 32, 'same'),
  convShape(2, 14, 14, 32, 32, 'same'),
  convShape(1, 5, 7, 7, 13, 'same'),
];

/** y, relu(y + bias) by the fused op, and dx, dW of Σ y·dy, on the active backend. */
export function apiPasses(shape: ConvShape, seed: number): Float32Array[] {
  const data = randomConvData(shape, seed);
  const pad = shape.padTopPx === 1 ? 'same' : 'valid';
  const { batch, inHeightPx, inWidthPx, inChannels, outHeightPx, outWidthPx, outChannels } = shape;
  return tf.tidy(() => {
    const x = tf.tensor4d(data.x, [batch, inHeightPx, inWidthPx, inChannels]);
    const w = tf.tensor4d(data.filter, [3, 3, inChannels, outChannels]);
    const bias = tf.tensor1d(data.bias);
    const dy = tf.tensor4d(data.dy, [batch, outHeightPx, outWidthPx, outChannels]);
    const y = tf.conv2d(x, w, 1, pad);
    const fused = tf.fused.conv2d({ x, filter: w, bias, strides: 1, pad, activation: 'relu' });
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad), dy)),
    )([x, w]);
    return [y, fused, dx, dw].map((t) => t.dataSync() as Float32Array);
  });
}

/**
 * Gradients of the categorical cross-entropy of the seed CNN (seed 3) on one batch of real
 * images, by weight name (conv1/kernel …, the same in every model), on the backend `request`
 * chooses. The Node test and the Chromium check compare our kernels' with the stock path's.
 */
export async function seedCnnGradients(
  request: BackendRequest,
  batch: SplitArrays,
  options: InitBackendOptions = {},
): Promise<Map<string, Float32Array>> {
  await initBackend(request, 'worker', options);
  const model = createSeedCnn({ seed: 3 });
  compileForTraining(model, { optimizer: 'adam', learningRate: 0.001 });
  const count = batch.labels.length;
  const weights = model.trainableWeights;
  const gradients = tf.tidy(() => {
    const xs = tf.div(tf.tensor4d(batch.images, [count, 28, 28, 1], 'float32'), 255);
    const ys = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), 10);
    const { grads } = tf.variableGrads(
      () =>
        tf.mean(
          tf.metrics.categoricalCrossentropy(ys, model.apply(xs, { training: true }) as tf.Tensor),
        ) as tf.Scalar,
      weights.map((w) => w.read() as tf.Variable),
    );
    return weights.map(
      (w) =>
        [w.originalName, grads[(w.read() as tf.Variable).name].dataSync() as Float32Array] as const,
    );
  });
  model.dispose();
  return new Map(gradients);
}

/** Our kernels' calls since `before` (a wasmConv3x3Calls() reading). */
export function callsSince(before: WasmConv3x3Calls): WasmConv3x3Calls {
  const now = wasmConv3x3Calls();
  return {
    forward: now.forward - before.forward,
    inputGradient: now.inputGradient - before.inputGradient,
    filterGradient: now.filterGradient - before.filterGradient,
    fallback: now.fallback - before.fallback,
  };
}
