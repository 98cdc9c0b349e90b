/**
 * Runs in the benchmark page with our kernels installed on the wasm backend: every algorithm
 * our kernels have, forced one at a time, for the seed CNN's conv2 (x [N, 28, 28, 64] ⊛
 * W [3, 3, 64, 64], `same`) in its three passes, and for conv1's forward (x [N, 28, 28, 1] ⊛
 * W [3, 3, 1, 64]) beside tfjs's XNNPACK, which the app runs there. Each pass is timed alone
 * (wall time of the synchronous call, median and best of `repeats` after one warm-up) on the
 * installation's flavour and thread count, with its own pool on the same heap, so that the
 * table says why geometry.ts picks what it picks (DEFAULT_ALGORITHMS marks the app's choice).
 */
import * as tf from '@tensorflow/tfjs';
import {
  convFlops,
  isForwardOurs,
  type ConvAlgorithm,
  type ConvShape,
} from '../src/training/backend/conv3x3-geometry';
import { compileKernelModule, instantiateKernels } from '../src/training/backend/conv3x3-kernels';
import {
  Conv3x3Passes,
  DEFAULT_ALGORITHMS,
  type ConvPass,
} from '../src/training/backend/conv3x3-passes';
import {
  createPoolRunner,
  singleThreadRunner,
  type KernelRunner,
} from '../src/training/backend/conv3x3-pool';
import { wasmConv3x3Status } from '../src/training/backend/wasm-conv3x3';
import {
  heapAllocatorOf,
  heapMemoryOf,
  heapOffsetOf,
  isSharedMemory,
  isWasmBackendInternals,
  type WasmBackendInternals,
} from '../src/training/backend/wasm-heap';

/** One pass of one layer by one algorithm (or by tfjs's XNNPACK). */
export interface AlgorithmTime {
  layer: 'conv1' | 'conv2';
  pass: ConvPass;
  algorithm: ConvAlgorithm | 'xnnpack';
  /** Whether the app runs this algorithm for this pass. */
  isAppChoice: boolean;
  medianMs: number;
  bestMs: number;
  /** 2·N·H·W·9·Cin·Cout over the median time (Winograd's figures are effective rates). */
  gflopsPerSec: number;
  /** max |this − direct| / max |direct| over the output; 0 for direct itself. */
  errorVsDirect: number;
  /** Why the algorithm cannot run the pass, when it cannot (no time then). */
  cannotRun?: string;
}

const CANDIDATES: readonly ConvAlgorithm[] = ['direct', 'winograd2', 'winograd4'];

function sameShape(batch: number, inChannels: number, outChannels: number): ConvShape {
  return {
    batch,
    inHeightPx: 28,
    inWidthPx: 28,
    inChannels,
    outHeightPx: 28,
    outWidthPx: 28,
    outChannels,
    padTopPx: 1,
    padLeftPx: 1,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function relativeError(actual: Float32Array, expected: Float32Array): number {
  let difference = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    difference = Math.max(difference, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return scale === 0 ? difference : difference / scale;
}

/** Wall ms of `run` (synchronous WASM) for each of `repeats` calls after one warm-up. */
function timeCalls(run: () => void, repeats: number): number[] {
  run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  return times;
}

/** The runner of the installed kernels' thread count, on its own pool over the same heap. */
async function createRunner(memory: WebAssembly.Memory) {
  const status = wasmConv3x3Status();
  if (status === null) throw new Error('conv algorithms: our kernels are not installed');
  const module = await compileKernelModule(status.flavour, isSharedMemory(memory));
  const kernels = instantiateKernels(module, memory);
  const runner: KernelRunner =
    status.threads > 1
      ? await createPoolRunner(module, memory, kernels, status.threads - 1)
      : singleThreadRunner(kernels);
  return { kernels, runner };
}

interface Tensors {
  backend: WasmBackendInternals;
  x: tf.Tensor;
  w: tf.Tensor;
  dy: tf.Tensor;
  out: tf.Tensor;
}

/** Times `pass` of `shape` by every candidate, writing each result into `out` to compare. */
function sweepPass(
  layer: AlgorithmTime['layer'],
  pass: ConvPass,
  shape: ConvShape,
  passesOf: (algorithm: ConvAlgorithm) => Conv3x3Passes,
  t: Tensors,
  repeats: number,
): AlgorithmTime[] {
  const at = (tensor: tf.Tensor) => heapOffsetOf(t.backend, tensor);
  const appChoice =
    isForwardOurs(shape) || pass !== 'forward' ? DEFAULT_ALGORITHMS(pass, shape) : 'xnnpack';
  let direct: Float32Array | null = null;
  const rows: AlgorithmTime[] = [];
  for (const algorithm of CANDIDATES) {
    const passes = passesOf(algorithm);
    const run = () => {
      if (pass === 'forward') passes.forward(shape, at(t.x), at(t.w), null, at(t.out), false);
      else if (pass === 'input-gradient') passes.inputGradient(shape, at(t.dy), at(t.w), at(t.out));
      else passes.filterGradient(shape, at(t.x), at(t.dy), at(t.out));
    };
    const row = { layer, pass, algorithm, isAppChoice: appChoice === algorithm };
    let times: number[];
    try {
      times = timeCalls(run, repeats);
    } catch (error) {
      const cannotRun = error instanceof Error ? error.message : String(error);
      rows.push({
        ...row,
        medianMs: NaN,
        bestMs: NaN,
        gflopsPerSec: NaN,
        errorVsDirect: NaN,
        cannotRun,
      });
      continue;
    }
    const output = t.out.dataSync() as Float32Array;
    direct ??= output.slice();
    const medianMs = median(times);
    rows.push({
      ...row,
      medianMs,
      bestMs: Math.min(...times),
      gflopsPerSec: convFlops(shape) / (medianMs / 1000) / 1e9,
      errorVsDirect: relativeError(output, direct),
    });
  }
  return rows;
}

/** conv1's forward by tfjs (XNNPACK: our Conv2D kernel hands one-channel layers back to it). */
function xnnpackConv1Forward(shape: ConvShape, t: Tensors, repeats: number): AlgorithmTime {
  const run = () => tf.dispose(tf.conv2d(t.x as tf.Tensor4D, t.w as tf.Tensor4D, 1, 'same'));
  const times = timeCalls(run, repeats);
  const output = tf.tidy(
    () => tf.conv2d(t.x as tf.Tensor4D, t.w as tf.Tensor4D, 1, 'same').dataSync() as Float32Array,
  );
  const medianMs = median(times);
  return {
    layer: 'conv1',
    pass: 'forward',
    algorithm: 'xnnpack',
    isAppChoice: !isForwardOurs(shape),
    medianMs,
    bestMs: Math.min(...times),
    gflopsPerSec: convFlops(shape) / (medianMs / 1000) / 1e9,
    errorVsDirect: relativeError(output, t.out.dataSync() as Float32Array),
  };
}

/** Every candidate for conv2's three passes and conv1's forward, at `batch` images. */
export async function measureAlgorithms(batch: number, repeats: number): Promise<AlgorithmTime[]> {
  const backend: unknown = tf.backend();
  if (!isWasmBackendInternals(backend)) throw new Error('conv algorithms: not tfjs-backend-wasm');
  const memory = heapMemoryOf(backend);
  if (memory === null) throw new Error("conv algorithms: tfjs-backend-wasm's heap was not found");
  const { kernels, runner } = await createRunner(memory);
  const heap = heapAllocatorOf(backend, memory);
  const byAlgorithm = new Map<ConvAlgorithm, Conv3x3Passes>();
  const passesOf = (algorithm: ConvAlgorithm) => {
    let passes = byAlgorithm.get(algorithm);
    if (passes === undefined) {
      passes = new Conv3x3Passes(kernels, runner, heap, () => algorithm);
      byAlgorithm.set(algorithm, passes);
    }
    return passes;
  };
  const conv2 = sameShape(batch, 64, 64);
  const conv1 = sameShape(batch, 1, 64);
  const tensorsOf = (shape: ConvShape, outShape: number[]): Tensors => ({
    backend,
    x: tf.randomUniform([batch, 28, 28, shape.inChannels], 0, 1, 'float32', 1),
    w: tf.randomNormal([3, 3, shape.inChannels, shape.outChannels], 0, 0.05, 'float32', 2),
    dy: tf.randomNormal([batch, 28, 28, shape.outChannels], 0, 1, 'float32', 3),
    out: tf.zeros(outShape),
  });
  const rows: AlgorithmTime[] = [];
  const sets: Tensors[] = [];
  try {
    for (const pass of ['forward', 'input-gradient', 'filter-gradient'] as const) {
      const outShape = pass === 'filter-gradient' ? [3, 3, 64, 64] : [batch, 28, 28, 64];
      const t = tensorsOf(conv2, outShape);
      sets.push(t);
      rows.push(...sweepPass('conv2', pass, conv2, passesOf, t, repeats));
    }
    const t = tensorsOf(conv1, [batch, 28, 28, 64]);
    sets.push(t);
    rows.push(...sweepPass('conv1', 'forward', conv1, passesOf, t, repeats));
    // t.out now holds the last candidate's output that ran: direct's, the only one for Cin = 1.
    rows.push(xnnpackConv1Forward(conv1, t, repeats));
  } finally {
    for (const t of sets) tf.dispose([t.x, t.w, t.dy, t.out]);
    runner.dispose();
  }
  return rows;
}
