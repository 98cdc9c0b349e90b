/**
 * The three passes of a covered 3×3 convolution on our kernels, over raw pointers into one
 * WebAssembly memory: each picks its algorithm (conv3x3-geometry.ts), takes one workspace
 * from the heap (zero buffer, packed filter, Winograd scratch per thread or sums per block), packs the filter
 * into it in WASM, runs the job on one thread or the pool, and gives the workspace back.
 *
 * Knows nothing of tfjs: wasm-conv3x3.ts hands in tensor offsets on tfjs-backend-wasm's heap
 * and its allocator; the Node tests hand in a plain memory.
 */
import type { Conv3x3Exports } from './conv3x3-kernels';
import {
  filterGradientAlgorithm,
  forwardAlgorithm,
  inputGradientAlgorithm,
  inputGradientShape,
  isWinogradCovering,
  type ConvAlgorithm,
  type ConvShape,
} from './conv3x3-geometry';
import { filterGradientBlocks, partialSumBytes, type FilterGradientJob } from './conv3x3-jobs';
import type { KernelRunner } from './conv3x3-pool';

/** Blocks of the heap the kernels may use for the length of one call. */
export interface HeapAllocator {
  readonly memory: WebAssembly.Memory;
  /** A block of at least `bytes` bytes; its contents are undefined. */
  allocate(bytes: number): number;
  release(pointer: number): void;
}

/** dy rows per cache band in the direct filter gradient (its x and dy slices stay in L2). */
export const FILTER_GRADIENT_BAND_ROWS = 2;
/** Alignment of every workspace part: a cache line. */
const ALIGN_BYTES = 64;

const alignUp = (bytes: number) => Math.ceil(bytes / ALIGN_BYTES) * ALIGN_BYTES;

/** m of a Winograd F(m×m, 3×3) algorithm. */
const tileSize = (algorithm: 'winograd2' | 'winograd4') => (algorithm === 'winograd2' ? 2 : 4);

/**
 * Refuses an algorithm that does not fit the shape (Winograd reads channels four at a time,
 * the single-output kernel too): it would read and write past the tensors.
 */
function assertFits(algorithm: ConvAlgorithm, shape: ConvShape, pass: ConvPass): void {
  const fits =
    algorithm === 'direct' ||
    (algorithm === 'single-output'
      ? pass !== 'filter-gradient' && shape.outChannels === 1 && shape.inChannels % 4 === 0
      : isWinogradCovering(shape));
  if (!fits) {
    throw new Error(
      `conv3x3: ${algorithm} cannot run the ${pass} of ${shape.inChannels} → ${shape.outChannels} channels`,
    );
  }
}

/** The passes of a convolution, as far as the choice of algorithm goes. */
export type ConvPass = 'forward' | 'input-gradient' | 'filter-gradient';

/**
 * Picks the algorithm of a pass; `shape` is the forward shape of the pass (for the input
 * gradient, inputGradientShape of the layer). Tests and benchmarks force one with it.
 */
export type AlgorithmChoice = (pass: ConvPass, shape: ConvShape) => ConvAlgorithm;

/** The measured default (conv3x3-geometry.ts). */
export const DEFAULT_ALGORITHMS: AlgorithmChoice = (pass, shape) => {
  if (pass === 'forward') return forwardAlgorithm(shape);
  return pass === 'input-gradient' ? inputGradientAlgorithm(shape) : filterGradientAlgorithm(shape);
};

/** Offsets of a workspace's parts, from its aligned start. */
interface Workspace {
  zero: number;
  packedFilter: number;
  scratch: number;
  scratchStrideBytes: number;
}

export class Conv3x3Passes {
  constructor(
    private readonly kernels: Conv3x3Exports,
    private readonly runner: KernelRunner,
    private readonly heap: HeapAllocator,
    private readonly chooseAlgorithm: AlgorithmChoice = DEFAULT_ALGORITHMS,
  ) {}

  get threads(): number {
    return this.runner.threads;
  }

  /**
   * y [N, Ho, Wo, Cout] = x [N, H, W, Cin] ⊛ filter [3, 3, Cin, Cout] (+ bias [Cout] when
   * `bias` is not null), then ReLU when `relu`.
   */
  forward(
    shape: ConvShape,
    x: number,
    filter: number,
    bias: number | null,
    y: number,
    relu: boolean,
  ): void {
    this.runForward('forward', shape, x, filter, bias, y, relu);
  }

  /** dx [N, H, W, Cin] from dy [N, Ho, Wo, Cout] and the layer's filter [3, 3, Cin, Cout]. */
  inputGradient(shape: ConvShape, dy: number, filter: number, dx: number): void {
    this.runForward('input-gradient', inputGradientShape(shape), dy, filter, null, dx, false);
  }

  /** dw [3, 3, Cin, Cout] (overwritten) from x [N, H, W, Cin] and dy [N, Ho, Wo, Cout]. */
  filterGradient(shape: ConvShape, x: number, dy: number, dw: number): void {
    const algorithm = this.chooseAlgorithm('filter-gradient', shape);
    assertFits(algorithm, shape, 'filter-gradient');
    if (algorithm === 'single-output') return; // refused above; narrows the type
    // Every block of images sums into a region of its own (the direct kernel's first into dw).
    const scratchBytes =
      algorithm === 'direct'
        ? partialSumBytes(this.kernels, { algorithm, shape })
        : this.kernels.winograd_dw_region_bytes(
            tileSize(algorithm),
            shape.inChannels,
            shape.outChannels,
          );
    const regions = filterGradientBlocks(shape.batch);
    this.withWorkspace(shape, 0, { bytes: scratchBytes, regions }, (space) => {
      const job: FilterGradientJob = {
        kind: 'filter-gradient',
        algorithm,
        shape,
        input: x,
        outputGradient: dy,
        filterGradient: dw,
        zero: space.zero,
        scratch: space.scratch,
        scratchStrideBytes: space.scratchStrideBytes,
        bandRows: FILTER_GRADIENT_BAND_ROWS,
      };
      this.runner.run(job);
    });
  }

  /**
   * A forward-type pass of `shape` (for the input gradient: its forward shape, with the
   * layer's filter read flipped).
   */
  private runForward(
    pass: Exclude<ConvPass, 'filter-gradient'>,
    shape: ConvShape,
    input: number,
    filter: number,
    bias: number | null,
    output: number,
    relu: boolean,
  ): void {
    const algorithm = this.chooseAlgorithm(pass, shape);
    assertFits(algorithm, shape, pass);
    const { packedBytes, scratchBytes } = this.forwardSizes(algorithm, shape);
    const scratch = { bytes: scratchBytes, regions: this.threads };
    this.withWorkspace(shape, packedBytes, scratch, (space) => {
      this.packFilter(algorithm, shape, filter, bias ?? space.zero, space.packedFilter, {
        hasBias: bias !== null,
        isFlipped: pass === 'input-gradient',
      });
      this.runner.run({
        kind: 'forward',
        algorithm,
        shape,
        input,
        packedFilter: space.packedFilter,
        bias: bias ?? space.zero,
        output,
        zero: space.zero,
        scratch: space.scratch,
        scratchStrideBytes: space.scratchStrideBytes,
        relu,
      });
    });
  }

  /** Bytes of the packed filter and of one thread's scratch for a forward-type pass. */
  private forwardSizes(algorithm: ConvAlgorithm, shape: ConvShape) {
    const k = this.kernels;
    const { inChannels: ci, outChannels: co } = shape;
    switch (algorithm) {
      case 'direct':
        return { packedBytes: k.packed_direct_bytes(ci, co), scratchBytes: 0 };
      case 'single-output':
        return { packedBytes: k.packed_single_bytes(ci), scratchBytes: 0 };
      default:
        return {
          packedBytes: k.packed_winograd_bytes(tileSize(algorithm), ci, co),
          scratchBytes: k.winograd_fwd_scratch_bytes(tileSize(algorithm), ci, co),
        };
    }
  }

  /** Packs `filter` (and, for the direct kernel, `bias`) for `algorithm` at `packed`. */
  private packFilter(
    algorithm: ConvAlgorithm,
    shape: ConvShape,
    filter: number,
    bias: number,
    packed: number,
    { hasBias, isFlipped }: { hasBias: boolean; isFlipped: boolean },
  ): void {
    const k = this.kernels;
    const { inChannels: ci, outChannels: co } = shape;
    const flip = isFlipped ? 1 : 0;
    if (algorithm === 'direct') k.pack_direct(filter, bias, packed, ci, co, hasBias ? 1 : 0, flip);
    else if (algorithm === 'single-output') k.pack_single(filter, packed, ci, flip);
    else if (algorithm === 'winograd2') k.pack_winograd2(filter, packed, ci, co, flip);
    else k.pack_winograd4(filter, packed, ci, co, flip);
  }

  /**
   * Runs `run` with a workspace of a zero buffer, `packedBytes` for the packed filter and
   * `scratch.regions` regions of `scratch.bytes` (one per thread, or per filter-gradient
   * block), all in one heap block released afterwards.
   */
  private withWorkspace(
    shape: ConvShape,
    packedBytes: number,
    scratch: { bytes: number; regions: number },
    run: (space: Workspace) => void,
  ): void {
    const zeroBytes = alignUp(this.kernels.zero_bytes(shape.inChannels, shape.outChannels));
    const scratchStrideBytes = alignUp(scratch.bytes);
    const totalBytes = zeroBytes + alignUp(packedBytes) + scratch.regions * scratchStrideBytes;
    const block = this.heap.allocate(totalBytes + ALIGN_BYTES);
    try {
      const start = alignUp(block);
      // After allocate: growing the heap replaces memory.buffer.
      new Uint8Array(this.heap.memory.buffer, start, zeroBytes).fill(0);
      run({
        zero: start,
        packedFilter: start + zeroBytes,
        scratch: start + zeroBytes + alignUp(packedBytes),
        scratchStrideBytes,
      });
    } finally {
      this.heap.release(block);
    }
  }
}
