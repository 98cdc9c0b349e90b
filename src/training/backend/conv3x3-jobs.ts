/**
 * A kernel job (one pass of one convolution over a batch) and what one thread computes of it.
 * The same code runs on one thread, on the pool's threads (conv3x3-pool.ts) and in the tests'
 * sequential stand-in for them.
 *
 * Every job is split by images, which a dealer hands out: forward-type jobs (the forward pass
 * and the input gradient) write disjoint outputs, each Winograd part with its own scratch;
 * filter-gradient jobs sum over images, so each part adds its images into a buffer of its own
 * (for Winograd, its own S), and finishFilterGradient adds the buffers up and, for Winograd,
 * transforms the sum.
 */
import type { Conv3x3Exports } from './conv3x3-kernels';
import type { ConvAlgorithm, ConvShape } from './conv3x3-geometry';

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

/** Hands images of a job to one part. */
export interface PartDealer {
  /** The part's next images, [first, first + count), or null when none are left. */
  next(): { first: number; count: number } | null;
  /** Reports the images last handed out as computed. */
  done(count: number): void;
}

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

/** `isFirstCall`: this part's first images of the job (its Winograd scratch is fresh). */
function runForwardImages(
  k: Conv3x3Exports,
  job: ForwardJob,
  part: number,
  { first, count }: { first: number; count: number },
  isFirstCall: boolean,
): void {
  const s = job.shape;
  const input = job.input + first * s.inHeightPx * s.inWidthPx * s.inChannels * FLOAT_BYTES;
  const output = job.output + first * s.outHeightPx * s.outWidthPx * s.outChannels * FLOAT_BYTES;
  const sizes = sizesOf(s, count);
  const relu = job.relu ? 1 : 0;
  const scratch = job.scratch + part * job.scratchStrideBytes;
  const { packedFilter, bias, zero } = job;
  const clear = isFirstCall ? 1 : 0;
  switch (job.algorithm) {
    case 'direct':
      k.conv3x3_fwd(input, packedFilter, output, zero, ...sizes, relu);
      break;
    case 'single-output': {
      const [, heightPx, widthPx, channels, outHeightPx, outWidthPx, , padTop, padLeft] = sizes;
      k.conv3x3_fwd_single(
        input,
        packedFilter,
        bias,
        output,
        zero,
        count,
        heightPx,
        widthPx,
        channels,
        outHeightPx,
        outWidthPx,
        padTop,
        padLeft,
        relu,
      );
      break;
    }
    case 'winograd2':
      k.winograd2_fwd(input, packedFilter, bias, output, zero, scratch, ...sizes, relu, clear);
      break;
    case 'winograd4':
      k.winograd4_fwd(input, packedFilter, bias, output, zero, scratch, ...sizes, relu, clear);
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

/** Where part p sums: dW itself for the direct kernel's part 0, else its region. */
function partialSumTarget(job: FilterGradientJob, part: number): number {
  if (job.algorithm === 'direct' && part === 0) return job.filterGradient;
  return job.scratch + part * job.scratchStrideBytes;
}

/**
 * Part 0's sum is zeroed before any image is dealt (finishFilterGradient adds into it even if
 * part 0 gets no image); the other parts zero theirs on their first images, so a part that
 * gets none never touches memory.
 */
function runFilterGradientPart(
  k: Conv3x3Exports,
  job: FilterGradientJob,
  part: number,
  dealer: PartDealer,
): void {
  const s = job.shape;
  const target = partialSumTarget(job, part);
  let isZeroed = false;
  const zeroTarget = () => {
    k.fill_zero(target, partialSumBytes(k, job));
    isZeroed = true;
  };
  if (part === 0) zeroTarget();
  let clear = 1; // the Winograd scratch on this part's first call
  for (let chunk = dealer.next(); chunk !== null; chunk = dealer.next()) {
    if (!isZeroed) zeroTarget();
    const x = job.input + chunk.first * s.inHeightPx * s.inWidthPx * s.inChannels * FLOAT_BYTES;
    const dy =
      job.outputGradient + chunk.first * s.outHeightPx * s.outWidthPx * s.outChannels * FLOAT_BYTES;
    const sizes = sizesOf(s, chunk.count);
    if (job.algorithm === 'direct') k.conv3x3_dw(x, dy, target, ...sizes, job.bandRows);
    else if (job.algorithm === 'winograd2') {
      k.winograd2_dw_accumulate(x, dy, target, job.zero, ...sizes, clear);
    } else k.winograd4_dw_accumulate(x, dy, target, job.zero, ...sizes, clear);
    clear = 0;
    dealer.done(chunk.count);
  }
}

/** Runs this thread's part of `job` on the images its dealer hands out. */
export function runPart(k: Conv3x3Exports, job: ConvJob, part: number, dealer: PartDealer): void {
  if (job.kind === 'filter-gradient') {
    runFilterGradientPart(k, job, part, dealer);
    return;
  }
  let isFirstCall = true;
  for (let chunk = dealer.next(); chunk !== null; chunk = dealer.next()) {
    runForwardImages(k, job, part, chunk, isFirstCall);
    isFirstCall = false;
    dealer.done(chunk.count);
  }
}

/**
 * After every image of a filter-gradient job is computed: adds the sums of `helperParts` (the
 * parts other than 0 that took images) into part 0's and, for Winograd, transforms the total
 * into dW.
 */
export function finishFilterGradient(
  k: Conv3x3Exports,
  job: FilterGradientJob,
  helperParts: readonly number[],
): void {
  const { inChannels, outChannels } = job.shape;
  const total = partialSumTarget(job, 0);
  const count = partialSumBytes(k, job) / FLOAT_BYTES;
  for (const part of helperParts) k.add_parts(total, partialSumTarget(job, part), 1, 0, count);
  if (job.algorithm === 'winograd2') {
    k.winograd2_dw_finish(total, job.filterGradient, inChannels, outChannels);
  } else if (job.algorithm === 'winograd4') {
    k.winograd4_dw_finish(total, job.filterGradient, inChannels, outChannels);
  }
}

/** A dealer that hands out a whole batch at once, for one thread. */
export function wholeBatchDealer(batch: number): PartDealer {
  let isDealt = false;
  return {
    next() {
      if (isDealt) return null;
      isDealt = true;
      return { first: 0, count: batch };
    },
    done() {},
  };
}
