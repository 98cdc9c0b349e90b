/**
 * Our 3×3 kernels in Chromium against tfjs's cpu backend, through tfjs's own API (conv2d,
 * fused conv2d + bias + ReLU, both gradients), for every conv layer of the six architectures
 * and two odd shapes: relaxed SIMD on 2 threads (the app's choice) and on 1, SIMD128 on 2.
 * Each result's bits are fingerprinted, so the test can tell that 1 and 2 threads agree exactly.
 * The page names the part to run in its first message: these kernels, or the whole seed CNN
 * (seed-cnn-check.ts).
 */
import { initBackend } from '../../../src/training/backend/backend';
import {
  wasmConv3x3Calls,
  wasmConv3x3ImagesByThread,
  type WasmConv3x3Calls,
} from '../../../src/training/backend/wasm-conv3x3';
import type { WasmConvKernelInfo } from '../../../src/training/run-types';
import {
  apiPasses,
  convShape,
  LAYER_SHAPES,
  maxRelativeError,
} from '../../unit/training/conv3x3-support';
import { checkSeedCnn } from './seed-cnn-check';

/**
 * The layer shapes of the unit tests, a 1 × 1 image of batch 3, and a batch of 18 (more images
 * than filter-gradient blocks, in blocks of unequal size).
 */
export const LAYERS = [
  ...LAYER_SHAPES,
  convShape(3, 1, 1, 4, 8, 'same'),
  convShape(18, 10, 10, 16, 16, 'same'),
];

/** FNV-1a over the float32 bits of `values`, as hex: equal only for the same bits. */
function fingerprint(values: Float32Array): string {
  let hash = 0x811c9dc5;
  for (const word of new Uint32Array(values.buffer, values.byteOffset, values.length)) {
    hash = Math.imul(hash ^ word, 0x01000193) >>> 0;
  }
  return `${hash.toString(16)}:${values.length}`;
}

const CONFIGS: WasmConvKernelInfo[] = [
  { flavour: 'relaxed', threads: 2 },
  { flavour: 'relaxed', threads: 1 },
  { flavour: 'simd128', threads: 2 },
];

export interface CheckReport {
  isolated: boolean;
  results: {
    asked: WasmConvKernelInfo;
    ran: WasmConvKernelInfo | undefined;
    reason: string;
    /** Per layer: max relative error of y, fused y, dx, dW against the cpu backend. */
    errors: number[][];
    /** Per layer: a hash of the bits of y, fused y, dx, dW. */
    fingerprints: string[][];
    calls: WasmConv3x3Calls;
    /** Images each thread computed (the caller first). */
    imagesByThread: number[];
  }[];
}

async function check(): Promise<CheckReport> {
  await initBackend({ preference: 'cpu', allowSoftwareWebgl: false }, 'worker');
  const expected = LAYERS.map((shape) => apiPasses(shape, 31));
  const results: CheckReport['results'] = [];
  for (const asked of CONFIGS) {
    const info = await initBackend(
      {
        preference: 'wasm',
        allowSoftwareWebgl: false,
        allowWasmThreads: true,
        wasmConvKernels: asked.flavour,
      },
      'worker',
      { wasmConvKernelThreads: asked.threads },
    );
    const before = wasmConv3x3Calls();
    const imagesBefore = wasmConv3x3ImagesByThread() ?? [];
    const ours = LAYERS.map((shape) => apiPasses(shape, 31));
    const errors = ours.map((passes, i) =>
      passes.map((values, pass) => maxRelativeError(values, expected[i][pass])),
    );
    const fingerprints = ours.map((passes) => passes.map(fingerprint));
    const after = wasmConv3x3Calls();
    const calls = Object.fromEntries(
      Object.entries(after).map(([key, count]) => [
        key,
        count - before[key as keyof WasmConv3x3Calls],
      ]),
    ) as unknown as WasmConv3x3Calls;
    const imagesByThread = (wasmConv3x3ImagesByThread() ?? []).map(
      (count, i) => count - (imagesBefore[i] ?? 0),
    );
    results.push({
      asked,
      ran: info.wasmConvKernels,
      reason: info.reason,
      errors,
      fingerprints,
      calls,
      imagesByThread,
    });
  }
  return { isolated: globalThis.crossOriginIsolated === true, results };
}

/** Which check the page asks for: the kernels layer by layer, or the whole seed CNN. */
export type CheckPart = 'kernels' | 'seed-cnn';

self.onmessage = (event: MessageEvent<CheckPart>) => {
  const run = event.data === 'seed-cnn' ? checkSeedCnn : check;
  run().then(
    (report) => postMessage(report),
    (error: unknown) =>
      postMessage({ error: String(error instanceof Error ? error.stack : error) }),
  );
};
