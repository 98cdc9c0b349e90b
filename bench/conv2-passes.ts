/**
 * Runs in the benchmark page: the three passes of the seed CNN's conv2 (x [N, 28, 28, 64] ⊛
 * W [3, 3, 64, 64], `same`) as training runs them on the active backend, timed apart:
 * - forward: `tf.conv2d`;
 * - input gradient and filter gradient: `tf.grad` of the convolution with respect to x, and
 *   to W, with a given upstream dy, under `tf.profile`: every kernel after the forward Conv2D
 *   (which follows tf.grad's Identity copies of its inputs) belongs to the gradient, whatever
 *   the registered gradient runs (tfjs's backprop kernels, ours, or the conv2d-only rewrite
 *   with its transposes).
 * Times are the backend's synchronous kernel timings, medians (and minimums) over `repeats`.
 */
import * as tf from '@tensorflow/tfjs';

export interface Conv2PassTimes {
  batch: number;
  /** Medians over the repeats. */
  forwardMs: number;
  inputGradientMs: number;
  filterGradientMs: number;
  /** Fastest of the repeats: on a loaded machine, the nearest to what the kernels can do. */
  bestForwardMs: number;
  bestInputGradientMs: number;
  bestFilterGradientMs: number;
  /** FLOPs of each pass: 2·N·28·28·9·64·64. */
  flopsPerPass: number;
}

const SIDE_PX = 28;
const CHANNELS = 64;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Kernel ms of `run` (its result disposed): all of them, or with `isAfterForward` only those
 * after the first Conv2D.
 */
async function kernelMs(run: () => tf.Tensor, isAfterForward: boolean): Promise<number> {
  const info = await tf.profile(() => {
    tf.dispose(run());
  });
  const first = isAfterForward ? info.kernels.findIndex((k) => k.name === 'Conv2D') + 1 : 0;
  if (isAfterForward && first === 0) throw new Error('conv2 passes: no forward Conv2D profiled');
  return info.kernels
    .slice(first)
    .reduce((sum, k) => sum + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0), 0);
}

export async function measureConv2Passes(batch: number, repeats: number): Promise<Conv2PassTimes> {
  const x = tf.randomUniform(
    [batch, SIDE_PX, SIDE_PX, CHANNELS],
    0,
    1,
    'float32',
    1,
  ) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, CHANNELS, CHANNELS], 0, 0.05, 'float32', 2) as tf.Tensor4D;
  const dy = tf.randomNormal(
    [batch, SIDE_PX, SIDE_PX, CHANNELS],
    0,
    1,
    'float32',
    3,
  ) as tf.Tensor4D;
  const forward = () => tf.conv2d(x, w, 1, 'same');
  const inputGradient = () =>
    tf.grad((input: tf.Tensor) => tf.conv2d(input as tf.Tensor4D, w, 1, 'same'))(x, dy);
  const filterGradient = () =>
    tf.grad((filter: tf.Tensor) => tf.conv2d(x, filter as tf.Tensor4D, 1, 'same'))(w, dy);
  const times = { forward: [] as number[], input: [] as number[], filter: [] as number[] };
  try {
    for (let i = 0; i <= repeats; i++) {
      const forwardMs = await kernelMs(forward, false);
      const inputMs = await kernelMs(inputGradient, true);
      const filterMs = await kernelMs(filterGradient, true);
      if (i === 0) continue; // warm-up: compilation, packing buffers, heap growth
      times.forward.push(forwardMs);
      times.input.push(inputMs);
      times.filter.push(filterMs);
    }
  } finally {
    tf.dispose([x, w, dy]);
  }
  return {
    batch,
    forwardMs: median(times.forward),
    inputGradientMs: median(times.input),
    filterGradientMs: median(times.filter),
    bestForwardMs: Math.min(...times.forward),
    bestInputGradientMs: Math.min(...times.input),
    bestFilterGradientMs: Math.min(...times.filter),
    flopsPerPass: 2 * batch * SIDE_PX * SIDE_PX * 9 * CHANNELS * CHANNELS,
  };
}
