/**
 * A kernel job (one pass of one convolution over a batch) and what one thread computes of it.
 * The same code runs on one thread, on the pool's threads (conv3x3-pool.ts) and in the tests'
 * sequential stand-in for them.
 *
 * Every job is split into units of images, which a dealer hands out. Forward-type jobs (the
 * forward pass and the input gradient) write disjoint outputs: a unit is one image, and each
 * Winograd part has its own scratch. Filter-gradient jobs sum over images: a unit is one of a
 * fixed number of blocks of consecutive images, each summed into a buffer of its own (for
 * Winograd, its own S), and finishFilterGradient adds the blocks up in block order and, for
 * Winograd, transforms the sum. The blocks depend on the batch size alone, never on which
 * thread took which, so dW is the same bit for bit on any number of threads and a seeded run
 * repeats exactly.
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
 * dW [3, 3, Cin, Cout] from x and dy. Block b sums into its region, scratch + b·stride: S and
 * its scratch for Winograd, a dW-sized buffer for the direct kernel (whose block 0 uses dW).
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

/** A unit of a job: its index and its images, [first, first + count). */
export interface JobUnit {
  unit: number;
  first: number;
  count: number;
}

/** Hands units of a job to one part. */
export interface PartDealer {
  /** The part's next unit, or null when none are left. */
  next(): JobUnit | null;
  /** Reports the unit last handed out as computed. */
  done(): void;
}

/**
 * Blocks of a filter-gradient job (fewer when the batch is smaller). Each block's sum takes a
 * region of heap (up to 36·Cin·Cout floats for F(4×4,3×3)) that is zeroed and, at the end,
 * added up on the caller alone, so every block beyond what the threads need costs time; 4 train
 * as fast as sums per thread did and still let 2 threads share the work (BENCHMARKS.md
 * compares 4 and 8).
 */
export const FILTER_GRADIENT_BLOCKS = 4;

/** How many units `job` has, and the images of each. */
export function unitsOf(job: Pick<ConvJob, 'kind' | 'shape'>): {
  count: number;
  imagesOf(unit: number): JobUnit;
} {
  const { batch } = job.shape;
  if (job.kind === 'forward') {
    return { count: batch, imagesOf: (unit) => ({ unit, first: unit, count: 1 }) };
  }
  const blocks = filterGradientBlocks(batch);
  return {
    count: blocks,
    imagesOf(unit) {
      const first = Math.floor((unit * batch) / blocks);
      return { unit, first, count: Math.floor(((unit + 1) * batch) / blocks) - first };
    },
  };
}

/** Blocks of a filter-gradient job over `batch` images: the heap regions its sums need. */
export function filterGradientBlocks(batch: number): number {
  return Math.max(1, Math.min(batch, FILTER_GRADIENT_BLOCKS));
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

/** Bytes of one block's partial sum: S for Winograd, a dW for the direct kernel. */
export function partialSumBytes(
  k: Conv3x3Exports,
  job: Pick<FilterGradientJob, 'algorithm' | 'shape'>,
): number {
  const { inChannels, outChannels } = job.shape;
  if (job.algorithm === 'direct') return 9 * inChannels * outChannels * FLOAT_BYTES;
  return k.winograd_dw_sum_bytes(job.algorithm === 'winograd2' ? 2 : 4, inChannels, outChannels);
}

/** Where block b sums: dW itself for the direct kernel's block 0, else its region. */
function blockSumTarget(job: FilterGradientJob, block: number): number {
  if (job.algorithm === 'direct' && block === 0) return job.filterGradient;
  return job.scratch + block * job.scratchStrideBytes;
}

/** Sums each block dealt to this part into the block's own region, from zero. */
function runFilterGradientPart(
  k: Conv3x3Exports,
  job: FilterGradientJob,
  dealer: PartDealer,
): void {
  const s = job.shape;
  for (let chunk = dealer.next(); chunk !== null; chunk = dealer.next()) {
    const target = blockSumTarget(job, chunk.unit);
    k.fill_zero(target, partialSumBytes(k, job));
    const x = job.input + chunk.first * s.inHeightPx * s.inWidthPx * s.inChannels * FLOAT_BYTES;
    const dy =
      job.outputGradient + chunk.first * s.outHeightPx * s.outWidthPx * s.outChannels * FLOAT_BYTES;
    const sizes = sizesOf(s, chunk.count);
    // A block's region (its Winograd scratch included) is fresh: clear it on this, its only call.
    if (job.algorithm === 'direct') k.conv3x3_dw(x, dy, target, ...sizes, job.bandRows);
    else if (job.algorithm === 'winograd2') {
      k.winograd2_dw_accumulate(x, dy, target, job.zero, ...sizes, 1);
    } else k.winograd4_dw_accumulate(x, dy, target, job.zero, ...sizes, 1);
    dealer.done();
  }
}

/** Runs this thread's part of `job` on the units its dealer hands out. */
export function runPart(k: Conv3x3Exports, job: ConvJob, part: number, dealer: PartDealer): void {
  if (job.kind === 'filter-gradient') {
    runFilterGradientPart(k, job, dealer);
    return;
  }
  let isFirstCall = true;
  for (let chunk = dealer.next(); chunk !== null; chunk = dealer.next()) {
    runForwardImages(k, job, part, chunk, isFirstCall);
    isFirstCall = false;
    dealer.done();
  }
}

/**
 * After every block of a filter-gradient job is computed: adds blocks 1, 2, … into block 0's
 * sum, in that order, and, for Winograd, transforms the total into dW.
 */
export function finishFilterGradient(k: Conv3x3Exports, job: FilterGradientJob): void {
  const { inChannels, outChannels } = job.shape;
  const total = blockSumTarget(job, 0);
  const count = partialSumBytes(k, job) / FLOAT_BYTES;
  const blocks = filterGradientBlocks(job.shape.batch);
  // One pass over the blocks' sums, each element summed in block order.
  if (blocks > 1) {
    k.add_parts(total, blockSumTarget(job, 1), blocks - 1, job.scratchStrideBytes, count);
  }
  if (job.algorithm === 'winograd2') {
    k.winograd2_dw_finish(total, job.filterGradient, inChannels, outChannels);
  } else if (job.algorithm === 'winograd4') {
    k.winograd4_dw_finish(total, job.filterGradient, inChannels, outChannels);
  }
}

/**
 * The dealer of a thread that runs the whole job: a forward-type job's batch in one take, a
 * filter gradient's blocks one after another (the same blocks as on several threads).
 */
export function wholeJobDealer(job: ConvJob): PartDealer {
  const units =
    job.kind === 'forward'
      ? { count: 1, imagesOf: (unit: number) => ({ unit, first: 0, count: job.shape.batch }) }
      : unitsOf(job);
  let next = 0;
  return {
    next: () => (next < units.count ? units.imagesOf(next++) : null),
    done() {},
  };
}
