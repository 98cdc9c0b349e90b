/**
 * What of the backend choice runs in Node: cpu and wasm initialise, `auto` and `webgl` fall back
 * (tfjs registers WebGL only in browsers), and the conv-gradient policy follows the backend.
 * WebGL itself (hardware vs SwiftShader, OffscreenCanvas in the worker) is a browser test.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { runInNewContext } from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_CONV_GRADIENT_REWRITE,
  applyConvGradientPolicy,
  initBackend,
} from '../../../src/training/backend/backend';
import { settleWithin } from '../../../src/training/backend/wasm';
import { isSoftwareRendererName, probeWebgl } from '../../../src/training/backend/webgl';
import { pinThreadedFactorySource } from '../../../build/wasm-threads-plugin.mjs';
import {
  isConvGradientRewriteInstalled,
  uninstallConvGradientRewrite,
} from '../../../src/training/backend/conv-gradient';
import type { BackendRequest } from '../../../src/training/run-types';

const TOLERANCE = 1e-4;

function request(preference: BackendRequest['preference'], extra: Partial<BackendRequest> = {}) {
  return { preference, allowSoftwareWebgl: false, ...extra } satisfies BackendRequest;
}

/**
 * dx and dW of sum(conv2d(x, W) · upstream) for a seeded 3×3 `same` conv, on the active backend.
 * One input channel is every architecture's first layer, the shape with the least-used XNNPACK
 * path (a 1-channel dx output, a dW "convolution" of batch 1).
 */
function seededConvGradients(inChannels = 3): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.randomUniform([2, 6, 6, inChannels], 0, 1, 'float32', 11);
    const filter = tf.randomNormal([3, 3, inChannels, 4], 0, 0.2, 'float32', 12);
    const upstream = tf.randomNormal([2, 6, 6, 4], 0, 1, 'float32', 13);
    const grads = tf.grads((a: tf.Tensor, w: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), upstream)),
    )([x, filter]);
    return grads.map((g) => g.dataSync() as Float32Array);
  });
}

afterAll(async () => {
  uninstallConvGradientRewrite();
  await tf.setBackend('cpu');
});

describe('initBackend in Node', () => {
  it('initialises cpu when asked and applies the cpu conv-gradient default', async () => {
    const info = await initBackend(request('cpu'), 'main-thread');
    expect(tf.getBackend()).toBe('cpu');
    expect(info).toMatchObject({
      name: 'cpu',
      path: 'main-thread',
      isSoftwareRenderer: false,
      convGradientRewrite: DEFAULT_CONV_GRADIENT_REWRITE.cpu,
    });
    expect(info.reason).toMatch(/^requested: /);
    expect(isConvGradientRewriteInstalled()).toBe(DEFAULT_CONV_GRADIENT_REWRITE.cpu);
  });

  it('honours a conv-gradient override on cpu', async () => {
    const off = await initBackend(request('cpu', { convGradientRewrite: false }), 'worker');
    expect(off.convGradientRewrite).toBe(false);
    expect(isConvGradientRewriteInstalled()).toBe(false);
    const on = await initBackend(request('cpu', { convGradientRewrite: true }), 'worker');
    expect(on.convGradientRewrite).toBe(true);
    expect(isConvGradientRewriteInstalled()).toBe(true);
  });

  it('initialises wasm with SIMD, one thread and the rewrite forced on', async () => {
    const info = await initBackend(request('wasm', { convGradientRewrite: false }), 'worker');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.name).toBe('wasm');
    expect(info.path).toBe('worker');
    expect(info.wasmSimd).toBe(true);
    // tfjs-backend-wasm never enables threads under Node.
    expect(info.wasmThreads).toBe(1);
    expect(info.convGradientRewrite).toBe(true);
    expect(isConvGradientRewriteInstalled()).toBe(true);
    expect(info.reason).toMatch(/^requested: WASM SIMD, 1 thread/);
  });

  for (const inChannels of [1, 3]) {
    it(`trains convolutions on wasm with gradients equal to stock cpu, ${inChannels} input channel(s)`, async () => {
      await tf.setBackend('cpu');
      uninstallConvGradientRewrite();
      const stockCpu = seededConvGradients(inChannels);

      await initBackend(request('wasm'), 'worker');
      const before = tf.memory().numTensors;
      const wasmRewrite = seededConvGradients(inChannels);
      expect(tf.memory().numTensors).toBe(before);

      expect(stockCpu.length).toBe(2);
      for (let i = 0; i < stockCpu.length; i++) {
        expect(wasmRewrite[i].length).toBe(stockCpu[i].length);
        expect(Math.max(...stockCpu[i].map(Math.abs))).toBeGreaterThan(0.1);
        const diff = Math.max(...stockCpu[i].map((v, j) => Math.abs(v - wasmRewrite[i][j])));
        expect(diff).toBeLessThan(TOLERANCE);
      }
    });
  }

  it('shows why the rewrite is needed: stock wasm has no Conv2DBackpropFilter', async () => {
    // Our 3×3 kernels (on by default) provide one; tfjs-backend-wasm alone does not.
    await initBackend(request('wasm', { wasmConvKernels: 'off' }), 'worker');
    uninstallConvGradientRewrite();
    expect(() => seededConvGradients()).toThrow(
      "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'",
    );
    applyConvGradientPolicy('wasm');
  });

  it('auto falls back past WebGL to wasm and says why', async () => {
    const info = await initBackend(request('auto'), 'main-thread');
    expect(info.name).toBe('wasm');
    expect(info.renderer).toBeUndefined();
    expect(info.reason).toMatch(/^auto: WASM/);
    expect(info.reason).toContain('WebGL: tfjs registers its webgl backend only in browsers');
  });

  it('an explicit webgl request falls back with a reason', async () => {
    const info = await initBackend(request('webgl', { allowSoftwareWebgl: true }), 'worker');
    expect(info.name).toBe('wasm');
    expect(info.reason).toMatch(/^requested webgl, fell back: WASM/);
  });
});

describe('threaded WASM factory source (build/wasm-threads-plugin.mjs)', () => {
  it('pins the upstream source the pthread helpers evaluate, free of closure variables', () => {
    const file = createRequire(import.meta.url).resolve(
      '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js',
    );
    const pinned = pinThreadedFactorySource(readFileSync(file, 'utf8'));
    expect(pinned).not.toBeNull();
    // Run the transformed module as the bundle would (CommonJS), then do what tfjs does for
    // the helpers: evaluate "var WasmBackendModuleThreadedSimd = " + toString() elsewhere.
    const module: { exports: { toString(): string } } = { exports: { toString: () => '' } };
    runInNewContext(pinned!, { module, exports: module.exports });
    const source = module.exports.toString();
    expect(source.startsWith('function(WasmBackendModuleThreadedSimd) {')).toBe(true);
    expect(source).toContain('typeof _scriptDir !== "undefined" && _scriptDir');
    const helper: { WasmBackendModuleThreadedSimd?: unknown } = {};
    runInNewContext(`var WasmBackendModuleThreadedSimd = ${source}`, helper);
    expect(typeof helper.WasmBackendModuleThreadedSimd).toBe('function');
    expect(pinThreadedFactorySource('module.exports = function () {};')).toBeNull();
  });
});

describe('threaded WASM init that hangs', () => {
  it('falls back to the single-thread binary within the timeout and says why', async () => {
    // Node never gets threads, so stand in for the broken threaded binary: the real wasm
    // factory, except that it never finishes while the multithread flag is on (what the
    // minified threaded build did before build/wasm-threads-plugin.ts).
    const realFactory = tf.findBackendFactory('wasm');
    expect(realFactory).not.toBeNull();
    const hangingWhileThreaded = () =>
      tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')
        ? new Promise<never>(() => {})
        : realFactory!();
    const globals = globalThis as { crossOriginIsolated?: boolean };
    const wasIsolated = globals.crossOriginIsolated;
    try {
      await tf.setBackend('cpu');
      tf.removeBackend('wasm');
      tf.registerBackend('wasm', hangingWhileThreaded, 2);
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
      globals.crossOriginIsolated = true;

      const startedMs = performance.now();
      const info = await initBackend(request('wasm', { allowWasmThreads: true }), 'worker', {
        wasmThreadedInitTimeoutMs: 300,
      });
      expect(performance.now() - startedMs).toBeGreaterThanOrEqual(290);
      expect(tf.getBackend()).toBe('wasm');
      expect(info.name).toBe('wasm');
      expect(info.wasmThreads).toBe(1);
      expect(info.reason).toMatch(
        /^requested: WASM SIMD, 1 thread\(s\) \(threaded init did not finish within 0\.3 s\); convolutions: /,
      );
      expect(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')).toBe(false);
      // The fallback backend really computes.
      expect(tf.tidy(() => tf.sum(tf.tensor1d([1, 2, 3])).dataSync()[0])).toBe(6);
    } finally {
      if (wasIsolated === undefined) delete globals.crossOriginIsolated;
      else globals.crossOriginIsolated = wasIsolated;
      await tf.setBackend('cpu');
      tf.removeBackend('wasm');
      tf.registerBackend('wasm', realFactory!, 2);
    }
  });

  it('settleWithin gives the value, or "timeout" when the promise is too slow', async () => {
    await expect(settleWithin(Promise.resolve(5), 1000)).resolves.toBe(5);
    await expect(settleWithin(new Promise(() => {}), 20)).resolves.toBe('timeout');
    await expect(settleWithin(Promise.reject(new Error('boom')), 1000)).rejects.toThrow('boom');
  });
});

describe('conv-gradient policy', () => {
  it('installs per backend: forced on for wasm, defaults elsewhere, overrides honoured', () => {
    expect(applyConvGradientPolicy('wasm', false)).toBe(true);
    expect(isConvGradientRewriteInstalled()).toBe(true);
    expect(applyConvGradientPolicy('webgl', false)).toBe(false);
    expect(isConvGradientRewriteInstalled()).toBe(false);
    expect(applyConvGradientPolicy('webgl')).toBe(DEFAULT_CONV_GRADIENT_REWRITE.webgl);
    expect(isConvGradientRewriteInstalled()).toBe(DEFAULT_CONV_GRADIENT_REWRITE.webgl);
    expect(applyConvGradientPolicy('cpu')).toBe(DEFAULT_CONV_GRADIENT_REWRITE.cpu);
    expect(isConvGradientRewriteInstalled()).toBe(DEFAULT_CONV_GRADIENT_REWRITE.cpu);
  });
});

describe('WebGL renderer detection', () => {
  it('recognises software renderers by name', () => {
    expect(isSoftwareRendererName('Google SwiftShader')).toBe(true);
    expect(
      isSoftwareRendererName(
        'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
      ),
    ).toBe(true);
    expect(isSoftwareRendererName('llvmpipe (LLVM 15.0.7, 256 bits)')).toBe(true);
    expect(isSoftwareRendererName('Microsoft Basic Render Driver')).toBe(true);
    expect(
      isSoftwareRendererName(
        'ANGLE (NVIDIA, NVIDIA GeForce RTX 3080 Direct3D11 vs_5_0 ps_5_0, D3D11)',
      ),
    ).toBe(false);
    expect(
      isSoftwareRendererName('ANGLE (Apple, ANGLE Metal Renderer: Apple M1, Unspecified)'),
    ).toBe(false);
  });

  it('reports no WebGL in Node rather than throwing', () => {
    expect(probeWebgl()).toEqual({
      isSoftwareRenderer: false,
      unavailableReason: 'no OffscreenCanvas or document',
    });
  });
});
