/**
 * Our 3×3 convolution kernels inside tfjs-backend-wasm, in Node (SIMD128, one thread): chosen
 * and reported by initBackend, equal to tfjs's cpu backend through tfjs's own API, uncovered
 * calls left to tfjs, removed for `off` and for other backends, the seed CNN's gradients on a
 * real batch equal to the stock path's, and no tensor or heap growth over training steps.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createSeedCnn } from '../../../src/model/architectures';
import { initBackend } from '../../../src/training/backend/backend';
import { canRunFlavour } from '../../../src/training/backend/conv3x3-kernels';
import { isInstalled, wasmConv3x3Calls } from '../../../src/training/backend/wasm-conv3x3';
import {
  chooseSimdFlavour,
  planWasmThreads,
} from '../../../src/training/backend/wasm-conv3x3-policy';
import { heapMemoryOf, isWasmBackendInternals } from '../../../src/training/backend/wasm-heap';
import { compileForTraining } from '../../../src/training/train-loop';
import type { BackendRequest } from '../../../src/training/run-types';
import {
  apiPasses,
  callsSince,
  LAYER_SHAPES,
  maxRelativeError,
  seedCnnGradients,
} from './conv3x3-support';
import { loadRealSplit } from './real-data';

const MAX_RELATIVE_ERROR = 1e-4;
const NODE_FLAVOUR = canRunFlavour('relaxed') ? 'relaxed' : 'simd128';

function wasm(extra: Partial<BackendRequest> = {}): BackendRequest {
  return { preference: 'wasm', allowSoftwareWebgl: false, ...extra };
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('choosing the kernels', () => {
  it('prefers relaxed SIMD, then SIMD128, then tfjs, and honours off', () => {
    const both = () => true;
    const simdOnly = (flavour: string) => flavour === 'simd128';
    const none = () => false;
    expect(chooseSimdFlavour('auto', both)).toEqual({ flavour: 'relaxed' });
    expect(chooseSimdFlavour('auto', simdOnly)).toEqual({ flavour: 'simd128' });
    expect(chooseSimdFlavour('auto', none)).toEqual({ flavour: null, why: 'no WASM SIMD' });
    expect(chooseSimdFlavour('simd128', both)).toEqual({ flavour: 'simd128' });
    expect(chooseSimdFlavour('relaxed', simdOnly)).toEqual({
      flavour: 'simd128',
      why: 'relaxed SIMD not available',
    });
    expect(chooseSimdFlavour('off', both)).toEqual({ flavour: null, why: 'off' });
  });

  it('gives every core to our kernels and one thread to tfjs when the heap can be shared', () => {
    vi.stubGlobal('crossOriginIsolated', true);
    vi.stubGlobal('navigator', { hardwareConcurrency: 4 });
    try {
      const threaded = wasm({ allowWasmThreads: true });
      expect(planWasmThreads(threaded, {})).toEqual({
        wasmThreadsCount: 1,
        wasmConvKernelThreads: 4,
      });
      // tfjs keeps every core when ours do not run, run on one thread, or threads are off.
      expect(planWasmThreads({ ...threaded, wasmConvKernels: 'off' }, {})).toEqual({});
      expect(planWasmThreads(threaded, { wasmConvKernelThreads: 1 })).toEqual({
        wasmConvKernelThreads: 1,
      });
      expect(planWasmThreads(wasm(), {})).toEqual({});
      // Explicit counts win.
      expect(planWasmThreads(threaded, { wasmThreadsCount: 2 })).toEqual({
        wasmThreadsCount: 2,
        wasmConvKernelThreads: 4,
      });
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('initBackend installs them on wasm by default and says so', async () => {
    const info = await initBackend(wasm(), 'worker');
    expect(info.wasmConvKernels).toEqual({ flavour: NODE_FLAVOUR, threads: 1 });
    expect(info.reason).toContain(
      `convolutions: own ${NODE_FLAVOUR === 'relaxed' ? 'relaxed-SIMD' : 'SIMD128'} kernels, 1 thread (first layer's forward on tfjs's XNNPACK)`,
    );
    expect(isInstalled()).toBe(true);
  });

  it("off, and any other backend, put tfjs's own kernels back", async () => {
    const off = await initBackend(wasm({ wasmConvKernels: 'off' }), 'worker');
    expect(off.wasmConvKernels).toBeUndefined();
    expect(off.reason).toContain("convolutions: tfjs's own (XNNPACK) (off)");
    expect(isInstalled()).toBe(false);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    await initBackend(wasm(), 'worker');
    expect(isInstalled()).toBe(true);
    const cpu = await initBackend({ preference: 'cpu', allowSoftwareWebgl: false }, 'worker');
    expect(cpu.wasmConvKernels).toBeUndefined();
    expect(isInstalled()).toBe(false);
  });
});

describe('through tfjs', () => {
  it.each(
    LAYER_SHAPES.map(
      (s) =>
        [
          `${s.inChannels}→${s.outChannels} ${s.inHeightPx}×${s.inWidthPx} pad ${s.padTopPx}`,
          s,
        ] as const,
    ),
  )(
    '%s: conv2d, fused conv2d + bias + relu and both gradients equal tfjs cpu',
    async (_name, shape) => {
      await tf.setBackend('cpu');
      const expected = apiPasses(shape, 23);
      await initBackend(wasm(), 'worker');
      const before = wasmConv3x3Calls();
      const tensorsBefore = tf.memory().numTensors;
      const actual = apiPasses(shape, 23);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      for (let i = 0; i < expected.length; i++) {
        expect(maxRelativeError(actual[i], expected[i])).toBeLessThan(MAX_RELATIVE_ERROR);
      }
      // One input channel: the forward passes stay with XNNPACK, the gradients are ours.
      const isForwardOurs = shape.inChannels > 1;
      expect(callsSince(before)).toEqual({
        forward: isForwardOurs ? 3 : 0,
        inputGradient: 1,
        filterGradient: 1,
        fallback: isForwardOurs ? 0 : 3,
      });
    },
  );

  it('leaves strided and 5×5 convolutions to tfjs', async () => {
    await initBackend(wasm(), 'worker');
    const before = wasmConv3x3Calls();
    tf.tidy(() => {
      const x = tf.randomUniform([1, 9, 9, 8], 0, 1, 'float32', 3) as tf.Tensor4D;
      tf.conv2d(x, tf.ones([3, 3, 8, 4]) as tf.Tensor4D, 2, 'same').dataSync();
      tf.conv2d(x, tf.ones([5, 5, 8, 4]) as tf.Tensor4D, 1, 'same').dataSync();
    });
    expect(callsSince(before)).toEqual({
      forward: 0,
      inputGradient: 0,
      filterGradient: 0,
      fallback: 2,
    });
  });
});

describe('the seed CNN on a real batch', () => {
  it('has the stock path’s gradients within 1e-4 relative, for every weight', async () => {
    const batch = loadRealSplit('train', 64);
    const stock = await seedCnnGradients(
      wasm({ wasmConvKernels: 'off', wasmGradientRewrites: false }),
      batch,
    );
    const ours = await seedCnnGradients(wasm(), batch);
    expect(ours.size).toBe(stock.size);
    // Two BatchNorms (γ, β), four conv and three dense layers (kernel, bias).
    expect(ours.size).toBe(18);
    for (const [name, expected] of stock) {
      expect(
        expected.some((v) => v !== 0),
        name,
      ).toBe(true);
      expect(maxRelativeError(ours.get(name)!, expected), name).toBeLessThan(MAX_RELATIVE_ERROR);
    }
  }, 300_000);

  it('trains steps without growing tensors, tfjs allocations or the heap', async () => {
    await initBackend(wasm(), 'worker');
    const backend: unknown = tf.backend();
    if (!isWasmBackendInternals(backend)) throw new Error('not tfjs-backend-wasm');
    const heap = heapMemoryOf(backend)!;
    const model = createSeedCnn({ seed: 4 });
    compileForTraining(model, { optimizer: 'adam', learningRate: 0.001 });
    const { images, labels } = loadRealSplit('train', 32);
    const xs = tf.div(tf.tensor4d(images, [32, 28, 28, 1], 'float32'), 255);
    const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
    const snapshot = () => [tf.memory().numTensors, tf.memory().numBytes, heap.buffer.byteLength];
    const before = wasmConv3x3Calls();
    await model.trainOnBatch(xs, ys);
    await model.trainOnBatch(xs, ys);
    const afterWarmUp = snapshot();
    for (let step = 0; step < 4; step++) await model.trainOnBatch(xs, ys);
    expect(snapshot()).toEqual(afterWarmUp);
    expect(callsSince(before).filterGradient).toBe(6 * 4);
    tf.dispose([xs, ys]);
    model.dispose();
  }, 300_000);
});
