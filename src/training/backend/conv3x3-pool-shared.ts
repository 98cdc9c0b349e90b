/**
 * What the kernel threads share (conv3x3-pool.ts, conv3x3-pool.worker.ts): a job, how one
 * thread runs its part of it, and the control block through which the caller hands a job to
 * its helpers. One thread is the same code with one part.
 *
 * Every job is split by images, handed out in chunks from a shared counter, so a thread that
 * is descheduled (another tab, a busy core) simply takes fewer chunks:
 * - forward-type jobs (the forward pass and the input gradient) write disjoint outputs; each
 *   Winograd part has its own scratch;
 * - filter-gradient jobs sum over images, so each part adds its images into its own buffer
 *   (for Winograd, its own S), and finishFilterGradient adds the parts up and, for Winograd,
 *   transforms the sum.
 */
import type { Conv3x3Exports } from './conv3x3-kernels';
import { CONV_ALGORITHMS, type ConvAlgorithm, type ConvShape } from './conv3x3-geometry';

/** y = conv(input, packed filter) + bias (+ ReLU); for the input gradient, input = dy. */
export interface ForwardJob {
  kind: 'forward';
  algorithm: ConvAlgorithm;
  shape: ConvShape;
  input: number;
  packedFilter: number;
  /** Cout floats (not for `direct`, whose bias is in its packed filter). */
  bias: number;
  output: number;
  zero: number;
  /** Winograd scratch of part p: scratch + p·scratchStrideBytes. */
  scratch: number;
  scratchStrideBytes: number;
  relu: boolean;
}

/**
 * dW [3, 3, Cin, Cout] from x and dy. Part p sums into its region, scratch + p·stride: S and
 * its scratch for Winograd, a dW-sized buffer for the direct kernel (whose part 0 uses dW).
 */
export interface FilterGradientJob {
  kind: 'filter-gradient';
  algorithm: Exclude<ConvAlgorithm, 'single-output'>;
  shape: ConvShape;
  input: number;
  outputGradient: number;
  filterGradient: number;
  zero: number;
  scratch: number;
  scratchStrideBytes: number;
  /** dy rows per cache band of the direct kernel. */
  bandRows: number;
}

export type ConvJob = ForwardJob | FilterGradientJob;

/** Hands out a job's next images: [first, first + count), or null when all are taken. */
export type ImageDealer = () => { first: number; count: number } | null;

const FLOAT_BYTES = 4;

/** The shape's sizes for `count` images, in the order every kernel takes them. */
function sizesOf(s: ConvShape, count: number) {
  return [
    count,
    s.inHeightPx,
    s.inWidthPx,
    s.inChannels,
    s.outHeightPx,
    s.outWidthPx,
    s.outChannels,
    s.padTopPx,
    s.padLeftPx,
  ] as const;
}

function runForwardImages(
  k: Conv3x3Exports,
  job: ForwardJob,
  part: number,
  first: number,
  count: number,
): void {
  const s = job.shape;
  const input = job.input + first * s.inHeightPx * s.inWidthPx * s.inChannels * FLOAT_BYTES;
  const output = job.output + first * s.outHeightPx * s.outWidthPx * s.outChannels * FLOAT_BYTES;
  const sizes = sizesOf(s, count);
  const relu = job.relu ? 1 : 0;
  const scratch = job.scratch + part * job.scratchStrideBytes;
  switch (job.algorithm) {
    case 'direct':
      k.conv3x3_fwd(input, job.packedFilter, output, job.zero, ...sizes, relu);
      break;
    case 'single-output':
      k.conv3x3_fwd_single(
        input,
        job.packedFilter,
        job.bias,
        output,
        job.zero,
        count,
        s.inHeightPx,
        s.inWidthPx,
        s.inChannels,
        s.outHeightPx,
        s.outWidthPx,
        s.padTopPx,
        s.padLeftPx,
        relu,
      );
      break;
    case 'winograd2':
      k.winograd2_fwd(input, job.packedFilter, job.bias, output, job.zero, scratch, ...sizes, relu);
      break;
    case 'winograd4':
      k.winograd4_fwd(input, job.packedFilter, job.bias, output, job.zero, scratch, ...sizes, relu);
      break;
  }
}

/** Bytes of one part's partial sum: S for Winograd, a dW for the direct kernel. */
export function partialSumBytes(
  k: Conv3x3Exports,
  job: Pick<FilterGradientJob, 'algorithm' | 'shape'>,
): number {
  const { inChannels, outChannels } = job.shape;
  if (job.algorithm === 'direct') return 9 * inChannels * outChannels * FLOAT_BYTES;
  return k.winograd_dw_sum_bytes(job.algorithm === 'winograd2' ? 2 : 4, inChannels, outChannels);
}

function runFilterGradientPart(
  k: Conv3x3Exports,
  job: FilterGradientJob,
  part: number,
  deal: ImageDealer,
): void {
  const s = job.shape;
  const target =
    job.algorithm === 'direct' && part === 0
      ? job.filterGradient
      : job.scratch + part * job.scratchStrideBytes;
  k.fill_zero(target, partialSumBytes(k, job));
  for (let chunk = deal(); chunk !== null; chunk = deal()) {
    const x = job.input + chunk.first * s.inHeightPx * s.inWidthPx * s.inChannels * FLOAT_BYTES;
    const dy =
      job.outputGradient + chunk.first * s.outHeightPx * s.outWidthPx * s.outChannels * FLOAT_BYTES;
    const sizes = sizesOf(s, chunk.count);
    if (job.algorithm === 'direct') k.conv3x3_dw(x, dy, target, ...sizes, job.bandRows);
    else if (job.algorithm === 'winograd2')
      k.winograd2_dw_accumulate(x, dy, target, job.zero, ...sizes);
    else k.winograd4_dw_accumulate(x, dy, target, job.zero, ...sizes);
  }
}

/**
 * After every part of a filter-gradient job has run: adds the parts' sums into part 0's (the
 * direct kernel's part 0 is dW itself) and, for Winograd, transforms the sum into dW.
 */
export function finishFilterGradient(
  k: Conv3x3Exports,
  job: FilterGradientJob,
  parts: number,
): void {
  const { scratch, scratchStrideBytes: stride, filterGradient } = job;
  const { inChannels, outChannels } = job.shape;
  const first = job.algorithm === 'direct' ? filterGradient : scratch;
  if (parts > 1) {
    k.add_parts(first, scratch + stride, parts - 1, stride, partialSumBytes(k, job) / FLOAT_BYTES);
  }
  if (job.algorithm === 'winograd2')
    k.winograd2_dw_finish(scratch, filterGradient, inChannels, outChannels);
  if (job.algorithm === 'winograd4')
    k.winograd4_dw_finish(scratch, filterGradient, inChannels, outChannels);
}

/**
 * Runs this thread's part of `job` on the images `deal` hands out. A filter-gradient job then
 * needs finishFilterGradient, once every part has run.
 */
export function runPart(k: Conv3x3Exports, job: ConvJob, part: number, deal: ImageDealer): void {
  if (job.kind === 'filter-gradient') {
    runFilterGradientPart(k, job, part, deal);
    return;
  }
  for (let chunk = deal(); chunk !== null; chunk = deal()) {
    runForwardImages(k, job, part, chunk.first, chunk.count);
  }
}

/**
 * The control block: an Int32Array on a SharedArrayBuffer. The caller writes a job into it,
 * sets PENDING to the number of helpers, bumps GENERATION and notifies; each helper waits on
 * GENERATION, runs its part and decrements PENDING. NEXT_IMAGE is the jobs' shared image
 * counter; FAILED is set by a helper whose part threw.
 */
export const CONTROL = {
  GENERATION: 0,
  PENDING: 1,
  NEXT_IMAGE: 2,
  IMAGES_PER_GRAB: 3,
  FAILED: 4,
  EXIT: 5,
  JOB: 8,
  LENGTH: 40,
} as const;

const SHAPE_FIELDS = [
  'batch',
  'inHeightPx',
  'inWidthPx',
  'inChannels',
  'outHeightPx',
  'outWidthPx',
  'outChannels',
  'padTopPx',
  'padLeftPx',
] as const;
const FORWARD_FIELDS = [
  'input',
  'packedFilter',
  'bias',
  'output',
  'zero',
  'scratch',
  'scratchStrideBytes',
] as const;
const FILTER_GRADIENT_FIELDS = [
  'input',
  'outputGradient',
  'filterGradient',
  'zero',
  'scratch',
  'scratchStrideBytes',
  'bandRows',
] as const;

/** Writes `job` into the control block's job fields. */
export function writeJob(control: Int32Array, job: ConvJob): void {
  let i: number = CONTROL.JOB;
  control[i++] = job.kind === 'forward' ? 1 : 2;
  control[i++] = CONV_ALGORITHMS.indexOf(job.algorithm);
  for (const field of SHAPE_FIELDS) control[i++] = job.shape[field];
  if (job.kind === 'forward') {
    for (const field of FORWARD_FIELDS) control[i++] = job[field];
    control[i] = job.relu ? 1 : 0;
  } else {
    for (const field of FILTER_GRADIENT_FIELDS) control[i++] = job[field];
  }
}

/** The job in the control block (as written by writeJob). */
export function readJob(control: Int32Array): ConvJob {
  let i: number = CONTROL.JOB;
  const kind = control[i++] === 1 ? 'forward' : 'filter-gradient';
  const algorithm = CONV_ALGORITHMS[control[i++]];
  const shape = {} as ConvShape;
  for (const field of SHAPE_FIELDS) shape[field] = control[i++];
  const fields = kind === 'forward' ? FORWARD_FIELDS : FILTER_GRADIENT_FIELDS;
  const values: Record<string, number> = {};
  for (const field of fields) values[field] = control[i++];
  if (kind === 'forward') {
    return { kind, algorithm, shape, ...values, relu: control[i] === 1 } as ForwardJob;
  }
  return { kind, algorithm, shape, ...values } as FilterGradientJob;
}

/** A dealer over the control block's shared image counter. */
export function sharedImageDealer(control: Int32Array, batch: number): ImageDealer {
  const perGrab = control[CONTROL.IMAGES_PER_GRAB];
  return () => {
    const first = Atomics.add(control, CONTROL.NEXT_IMAGE, perGrab);
    return first >= batch ? null : { first, count: Math.min(perGrab, batch - first) };
  };
}

/** Messages from the caller to a helper, once, at start. */
export interface HelperStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: Int32Array;
  part: number;
}

/** A helper's answer to HelperStart. */
export type HelperMessage = { kind: 'ready' } | { kind: 'failed'; message: string };
