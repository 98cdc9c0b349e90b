/**
 * Runs in the benchmark page, on the main thread: training throughput of the seed CNN per
 * backend and batch size, the app's own loop (`trainModel`, hooks included) against a bare
 * `model.trainOnBatch` loop on the same backend, data and model in the same page.
 * The Node driver (bench/run.mjs) chooses the plan with `?plan=` (JSON) and collects
 * `window.__trainingBench`.
 */
import * as tf from '@tensorflow/tfjs';
import { createSeedCnn } from '../src/model/architectures';
import { initBackend } from '../src/training/backend/backend';
import { wasmConv3x3ImagesByThread } from '../src/training/backend/wasm-conv3x3';
import { BatchGatherer } from '../src/training/batches';
import { compileForTraining, trainModel } from '../src/training/train-loop';
import { RunControl } from '../src/training/run-control';
import type { BackendName, SplitArrays, WasmConvKernelChoice } from '../src/training/run-types';
import type { TrainingParams } from '../src/training/training-params';
import { measureAlgorithms, type AlgorithmTime } from './conv-algorithms';
import { measureConv2Passes, type Conv2PassTimes } from './conv2-passes';
import { kernelWithShapes, type KernelTally, tallyKernels } from './kernel-times';

export interface PlanItem {
  backend: BackendName;
  batchSize: number;
  /** Timed batches per method, after one untimed warm-up batch. */
  batches: number;
  convGradientRewrite?: boolean;
  /** false: without the WASM training speed-ups (BackendRequest.wasmGradientRewrites). */
  wasmGradientRewrites?: boolean;
  /**
   * WASM only: ask for the threaded binary with this many threads (the page must be
   * cross-origin isolated). The binary is chosen once per page, so a plan mixes only items
   * with the same value; unset means the single-thread SIMD binary unless `allowWasmThreads`.
   */
  wasmThreads?: number;
  /** The threaded binary with the app's own thread counts (BackendRequest.allowWasmThreads). */
  allowWasmThreads?: boolean;
  /** Our 3×3 convolution kernels (BackendRequest.wasmConvKernels; default `auto`). */
  wasmConvKernels?: WasmConvKernelChoice;
  /** Threads for our kernels (InitBackendOptions.wasmConvKernelThreads; default tfjs's). */
  wasmConvKernelThreads?: number;
  /** Time only the app's loop (no bare `trainOnBatch` loop). */
  isAppLoopOnly?: boolean;
  /** After the timed loops, conv2's three passes timed apart, median of this many. */
  conv2PassRepeats?: number;
  /**
   * After the timed loops, with our kernels installed: every algorithm forced in turn for
   * conv2's three passes and conv1's forward (conv-algorithms.ts), median of this many.
   */
  algorithmRepeats?: number;
  /**
   * After the timed loops, this many `trainOnBatch` steps under `tf.profile`: per-kernel
   * times (the backend's synchronous kernel timings) by kernel name and input shapes.
   */
  profileSteps?: number;
}

/** One kernel (name and input shapes) of a profiled step: calls and ms per step. */
interface KernelTime {
  kernel: string;
  calls: number;
  msPerStep: number;
}

interface Result extends PlanItem {
  backendInfo: string;
  /** BackendInfo.reason, e.g. why threads are off. */
  backendReason: string;
  bareSamplesPerSec: number;
  appSamplesPerSec: number;
  /** app / bare − 1: positive when the app's loop is slower. */
  appOverhead: number;
  /** ≈ 3 × forward FLOPs per sample, from the layer shapes. */
  gflopsPerSec: number;
  /** BackendInfo.wasmConvKernels: which convolution kernels ran. */
  convKernels: string;
  /** Share of the images our kernels' jobs computed on each thread (caller first), in %. */
  convThreadShares?: number[];
  /** With `conv2PassRepeats`: conv2's forward, input-gradient and filter-gradient times. */
  conv2?: Conv2PassTimes;
  /** With `algorithmRepeats`: each pass by each algorithm. */
  algorithms?: AlgorithmTime[];
  /** With `profileSteps`: wall ms per profiled step, and its kernels, slowest first. */
  profile?: { wallMsPerStep: number; kernelMsPerStep: number; kernels: KernelTime[] };
}

declare global {
  interface Window {
    __trainingBench?: { done: boolean; results: Result[]; error?: string };
  }
}

/** Training FLOPs per sample: forward multiply-adds × 2, and backward ≈ 2 × forward. */
export function seedCnnTrainingFlopsPerSample(): number {
  // Forward multiply-adds of the layers with weights (BatchNorm and pooling are negligible).
  const conv = (h: number, w: number, k: number, cin: number, cout: number) =>
    h * w * k * k * cin * cout;
  const macs =
    conv(28, 28, 3, 1, 64) +
    conv(28, 28, 3, 64, 64) +
    conv(14, 14, 3, 64, 32) +
    conv(14, 14, 3, 32, 32) +
    7 * 7 * 32 * 256 +
    256 * 64 +
    64 * 10;
  return 3 * 2 * macs;
}

/** Each thread's share of the images computed between two readings, in %. */
function threadShares(before: number[] | null, after: number[] | null) {
  if (before === null || after === null || before.length !== after.length) return {};
  const images = after.map((count, i) => count - before[i]);
  const total = images.reduce((a, b) => a + b, 0);
  return total === 0 ? {} : { convThreadShares: images.map((n) => Math.round((100 * n) / total)) };
}

function firstRows(split: SplitArrays, n: number): SplitArrays {
  return { images: split.images.subarray(0, n * 784), labels: split.labels.subarray(0, n) };
}

async function bareLoop(data: SplitArrays, item: PlanItem): Promise<number> {
  const model = createSeedCnn({ seed: 1 });
  compileForTraining(model, { optimizer: 'adam', learningRate: 0.001 });
  const gatherer = new BatchGatherer(data, item.batchSize);
  const indices = Array.from({ length: item.batchSize }, (_, i) => i);
  const step = async (b: number) => {
    const { xs, ys } = gatherer.gather(
      indices.map((i) => (b * item.batchSize + i) % data.labels.length),
    );
    const logs = (await model.trainOnBatch(xs, ys)) as number[];
    tf.dispose([xs, ys]);
    return logs;
  };
  await step(0);
  const started = performance.now();
  for (let b = 1; b <= item.batches; b++) await step(b);
  const ms = performance.now() - started;
  model.dispose();
  return (item.batches * item.batchSize) / (ms / 1000);
}

async function profileSteps(data: SplitArrays, item: PlanItem, steps: number) {
  const model = createSeedCnn({ seed: 1 });
  compileForTraining(model, { optimizer: 'adam', learningRate: 0.001 });
  const gatherer = new BatchGatherer(data, item.batchSize);
  const { xs, ys } = gatherer.gather(Array.from({ length: item.batchSize }, (_, i) => i));
  await model.trainOnBatch(xs, ys); // warm-up
  const byKernel: KernelTally = new Map();
  let kernelMs = 0;
  const started = performance.now();
  for (let step = 0; step < steps; step++) {
    const info = await tf.profile(async () => {
      await model.trainOnBatch(xs, ys);
    });
    kernelMs += tallyKernels(info.kernels, byKernel, kernelWithShapes);
  }
  const wallMs = performance.now() - started;
  tf.dispose([xs, ys]);
  model.dispose();
  return {
    wallMsPerStep: wallMs / steps,
    kernelMsPerStep: kernelMs / steps,
    kernels: [...byKernel]
      .map(([kernel, e]) => ({ kernel, calls: e.calls / steps, msPerStep: e.ms / steps }))
      .sort((a, b) => b.msPerStep - a.msPerStep),
  };
}

async function appLoop(data: SplitArrays, item: PlanItem): Promise<number> {
  const model = createSeedCnn({ seed: 1 });
  // One epoch over exactly the rows given: the split size sets the number of batches.
  const params: TrainingParams = {
    architectureId: 'seed-cnn',
    epochs: 1,
    batchSize: item.batchSize,
    learningRate: 0.001,
    optimizer: 'adam',
    validationFraction: 0,
    seed: 1,
  };
  const noHooks = { onBatchEnd: () => {}, onEpochEnd: () => {} };
  // Warm-up: one batch, so both methods time only steady-state steps.
  await trainModel(
    model,
    { train: firstRows(data, item.batchSize) },
    params,
    noHooks,
    new RunControl(),
  );
  const outcome = await trainModel(
    model,
    { train: firstRows(data, item.batches * item.batchSize) },
    params,
    noHooks,
    new RunControl(),
  );
  model.dispose();
  return (outcome.batchesRun * item.batchSize) / (outcome.elapsedMs / 1000);
}

function parseCsv(text: string): SplitArrays {
  const lines = text
    .split('\n')
    .filter((l) => l.length > 0)
    .slice(1);
  const images = new Uint8Array(lines.length * 784);
  const labels = new Uint8Array(lines.length);
  lines.forEach((line, row) => {
    const fields = line.split(',');
    labels[row] = Number(fields[0]);
    for (let i = 0; i < 784; i++) images[row * 784 + i] = Number(fields[i + 1]);
  });
  return { images, labels };
}

const input = document.getElementById('files') as HTMLInputElement;
input.addEventListener('change', () => {
  const plan = JSON.parse(new URLSearchParams(location.search).get('plan') ?? '[]') as PlanItem[];
  window.__trainingBench = { done: false, results: [] };
  const out = document.getElementById('out') as HTMLElement;
  void (async () => {
    try {
      const data = parseCsv(await input.files![0].text());
      for (const item of plan) {
        const info = await initBackend(
          {
            preference: item.backend,
            allowSoftwareWebgl: true,
            ...(item.convGradientRewrite === undefined
              ? {}
              : { convGradientRewrite: item.convGradientRewrite }),
            ...(item.wasmGradientRewrites === undefined
              ? {}
              : { wasmGradientRewrites: item.wasmGradientRewrites }),
            ...(item.wasmConvKernels === undefined
              ? {}
              : { wasmConvKernels: item.wasmConvKernels }),
            allowWasmThreads: item.allowWasmThreads ?? item.wasmThreads !== undefined,
          },
          'main-thread',
          {
            ...(item.wasmThreads === undefined ? {} : { wasmThreadsCount: item.wasmThreads }),
            ...(item.wasmConvKernelThreads === undefined
              ? {}
              : { wasmConvKernelThreads: item.wasmConvKernelThreads }),
          },
        );
        if (info.name !== item.backend)
          throw new Error(`wanted ${item.backend}, got ${info.name}: ${info.reason}`);
        const imagesBefore = wasmConv3x3ImagesByThread();
        // Alternate the order so neither method always runs second.
        const bareFirst = window.__trainingBench!.results.length % 2 === 0;
        let bare = NaN;
        let app = 0;
        if (item.isAppLoopOnly) {
          app = await appLoop(data, item);
        } else if (bareFirst) {
          bare = await bareLoop(data, item);
          app = await appLoop(data, item);
        } else {
          app = await appLoop(data, item);
          bare = await bareLoop(data, item);
        }
        const result: Result = {
          ...item,
          convGradientRewrite: info.convGradientRewrite,
          backendInfo: `${info.name}${info.renderer ? ` (${info.renderer})` : ''}${info.wasmThreads ? `, ${info.wasmThreads} thread(s)` : ''}`,
          backendReason: info.reason,
          convKernels: info.wasmConvKernels
            ? `${info.wasmConvKernels.flavour}, ${info.wasmConvKernels.threads} thread(s)`
            : 'tfjs',
          ...threadShares(imagesBefore, wasmConv3x3ImagesByThread()),
          bareSamplesPerSec: bare,
          appSamplesPerSec: app,
          appOverhead: bare / app - 1,
          gflopsPerSec: (app * seedCnnTrainingFlopsPerSample()) / 1e9,
          ...(item.conv2PassRepeats
            ? { conv2: await measureConv2Passes(item.batchSize, item.conv2PassRepeats) }
            : {}),
          ...(item.algorithmRepeats && info.wasmConvKernels
            ? { algorithms: await measureAlgorithms(item.batchSize, item.algorithmRepeats) }
            : {}),
          ...(item.profileSteps
            ? { profile: await profileSteps(data, item, item.profileSteps) }
            : {}),
        };
        window.__trainingBench!.results.push(result);
        out.textContent += `${JSON.stringify(result)}\n`;
      }
    } catch (error) {
      window.__trainingBench!.error = String(error instanceof Error ? error.stack : error);
    }
    window.__trainingBench!.done = true;
  })();
});
