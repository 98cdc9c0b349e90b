/**
 * Output arrays of one split, written in place by the parsers. The row count is not known until
 * the end of the file, so rows go into fixed blocks of GROWTH_STEP_ROWS rows, allocated as rows
 * arrive; at the end the blocks are copied once into exact-length arrays. Peak: the rows read
 * so far, then twice that during the final copy.
 *
 * Why blocks: the previous 'growable' allocation (kept for the benchmark) grew one resizable
 * ArrayBuffer in place, with the same peak, but V8 writes through views of resizable buffers
 * more slowly in the parser's hot loop (1.44 vs 1.17 s for both full CSVs), and Web APIs
 * (ImageData, Blob, TextDecoder, …) reject such views, so it needed the same final copy anyway.
 * The parsers write row r at index r − rowBase of the current block's views.
 */
import { PIXELS_PER_IMAGE } from '../config/dataset';

/** Rows added per growth step: 3.2 MB of pixels, 15 steps for the 60,000-row train CSV. */
export const GROWTH_STEP_ROWS = 4096;

/**
 * 'blocks' (the default): fixed blocks of `growthStepRows` rows, joined at the end (peak ≈ rows
 * read so far, then 2× for the final copy). 'growable': one resizable buffer grown in steps
 * (same peak, slower writes; falls back to 'upper-bound' where resizable buffers are missing).
 * 'upper-bound': the issue-2 strategy, all `maxRows` allocated up front (peak ≈ bound + exact,
 * 66 + 47 MB for the train CSV). The last two are selectable so the benchmark can compare.
 */
export type SplitAllocation = 'blocks' | 'growable' | 'upper-bound';

export interface SplitStorageOptions {
  allocation?: SplitAllocation;
  /** Rows per growth step (tests use small steps to cross many boundaries). */
  growthStepRows?: number;
}

export interface SplitStorage {
  /**
   * uint8 [(rowCapacity − rowBase) × 784] row-major pixels of rows rowBase … rowCapacity − 1:
   * row r's pixels start at (r − rowBase) × 784. Replaced by `grow()`: re-read it after.
   */
  images: Uint8Array;
  /** uint8 labels of rows rowBase … rowCapacity − 1, at r − rowBase. Replaced by `grow()`. */
  labels: Uint8Array;
  /** The first row the current views hold (0 for the single-buffer allocations). */
  rowBase: number;
  /** Rows written so far may reach this; ≥ 1. */
  rowCapacity: number;
  /** Rows the storage may ever hold (the file-size bound); `grow()` stops there. */
  readonly maxRows: number;
  /** Adds up to one growth step of rows, within `maxRows`; returns the new `rowCapacity`. */
  grow(): number;
  /** The first `rowCount` rows as exact-length arrays, each on its own fixed ArrayBuffer. */
  finish(rowCount: number): { images: Uint8Array; labels: Uint8Array };
}

type ResizableBuffer = ArrayBuffer & { resize(byteLength: number): void; resizable: boolean };

let canResizeBuffers: boolean | undefined;

/** Engines without resizable buffers ignore the options bag and return a fixed buffer. */
function supportsResizableBuffers(): boolean {
  canResizeBuffers ??= (new ArrayBuffer(0, { maxByteLength: 1 }) as ResizableBuffer).resizable;
  return canResizeBuffers === true;
}

/** Storage for at most `maxRows` rows (see csvRowCapacity). */
export function createSplitStorage(
  maxRows: number,
  options: SplitStorageOptions = {},
): SplitStorage {
  const stepRows = options.growthStepRows ?? GROWTH_STEP_ROWS;
  const allocation = options.allocation ?? 'blocks';
  if (allocation === 'blocks') return new BlockSplitStorage(maxRows, stepRows);
  if (allocation === 'upper-bound' || !supportsResizableBuffers()) {
    return createUpperBoundStorage(maxRows);
  }
  return new GrowableSplitStorage(maxRows, stepRows);
}

class BlockSplitStorage implements SplitStorage {
  images = new Uint8Array(0);
  labels = new Uint8Array(0);
  rowBase = 0;
  rowCapacity = 0;
  private readonly imageBlocks: Uint8Array[] = [];
  private readonly labelBlocks: Uint8Array[] = [];

  constructor(
    readonly maxRows: number,
    private readonly stepRows: number,
  ) {
    this.grow();
  }

  grow(): number {
    const rows = Math.min(this.stepRows, this.maxRows - this.rowCapacity);
    if (rows <= 0) return this.rowCapacity;
    this.images = new Uint8Array(rows * PIXELS_PER_IMAGE);
    this.labels = new Uint8Array(rows);
    this.imageBlocks.push(this.images);
    this.labelBlocks.push(this.labels);
    this.rowBase = this.rowCapacity;
    this.rowCapacity += rows;
    return this.rowCapacity;
  }

  finish(rowCount: number): { images: Uint8Array; labels: Uint8Array } {
    return {
      images: joinBlocks(this.imageBlocks, rowCount * PIXELS_PER_IMAGE),
      labels: joinBlocks(this.labelBlocks, rowCount),
    };
  }
}

/** The first `byteLength` bytes of the blocks in order, in one new exact-length array. */
function joinBlocks(blocks: Uint8Array[], byteLength: number): Uint8Array {
  const first = blocks[0];
  if (first.byteLength === byteLength) return first;
  const joined = new Uint8Array(byteLength);
  let offset = 0;
  for (const block of blocks) {
    if (offset >= byteLength) break;
    const part = block.subarray(0, Math.min(block.length, byteLength - offset));
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

function createUpperBoundStorage(maxRows: number): SplitStorage {
  const storage: SplitStorage = {
    images: new Uint8Array(maxRows * PIXELS_PER_IMAGE),
    labels: new Uint8Array(maxRows),
    rowBase: 0,
    rowCapacity: maxRows,
    maxRows,
    grow: () => maxRows,
    finish: (rowCount) => finishSingleBuffer(storage, rowCount),
  };
  return storage;
}

class GrowableSplitStorage implements SplitStorage {
  images: Uint8Array;
  labels: Uint8Array;
  readonly rowBase = 0;
  rowCapacity = 0;
  private readonly imagesBuffer: ResizableBuffer;
  private readonly labelsBuffer: ResizableBuffer;

  constructor(
    readonly maxRows: number,
    private readonly stepRows: number,
  ) {
    this.imagesBuffer = new ArrayBuffer(0, {
      maxByteLength: maxRows * PIXELS_PER_IMAGE,
    }) as ResizableBuffer;
    this.labelsBuffer = new ArrayBuffer(0, { maxByteLength: maxRows }) as ResizableBuffer;
    this.images = new Uint8Array(0);
    this.labels = new Uint8Array(0);
    this.grow();
  }

  grow(): number {
    const rows = Math.min(this.maxRows, this.rowCapacity + this.stepRows);
    if (rows === this.rowCapacity) return rows;
    this.imagesBuffer.resize(rows * PIXELS_PER_IMAGE);
    this.labelsBuffer.resize(rows);
    // Fixed-length views (not length-tracking ones) keep the parsers' hot loops on the plain
    // typed-array fast path.
    this.images = new Uint8Array(this.imagesBuffer, 0, rows * PIXELS_PER_IMAGE);
    this.labels = new Uint8Array(this.labelsBuffer, 0, rows);
    this.rowCapacity = rows;
    return rows;
  }

  finish(rowCount: number): { images: Uint8Array; labels: Uint8Array } {
    return finishSingleBuffer(this, rowCount);
  }
}

/** The first `rowCount` rows as exact-length arrays, each on its own fixed-length ArrayBuffer. */
export function finishSplitStorage(
  storage: SplitStorage,
  rowCount: number,
): { images: Uint8Array; labels: Uint8Array } {
  return storage.finish(rowCount);
}

/** finish() of the allocations that hold every row in one buffer from index 0. */
function finishSingleBuffer(
  storage: SplitStorage,
  rowCount: number,
): { images: Uint8Array; labels: Uint8Array } {
  return {
    images: exactLength(storage.images, rowCount * PIXELS_PER_IMAGE),
    labels: exactLength(storage.labels, rowCount),
  };
}

interface TransferableBuffer {
  resizable?: boolean;
  transferToFixedLength?: (newByteLength?: number) => ArrayBuffer;
}

/**
 * `transferToFixedLength` copies into a new fixed buffer and frees the old one at once
 * (Chromium); Node 20 lacks it, so there `slice` copies and the old buffer is left to the
 * garbage collector. Either way the result is never resizable.
 */
function exactLength(bytes: Uint8Array, byteLength: number): Uint8Array {
  const buffer = bytes.buffer as ArrayBuffer & TransferableBuffer;
  const isFixed = buffer.resizable !== true;
  if (isFixed && bytes.byteOffset === 0 && buffer.byteLength === byteLength) return bytes;
  if (bytes.byteOffset === 0 && typeof buffer.transferToFixedLength === 'function') {
    return new Uint8Array(buffer.transferToFixedLength(byteLength));
  }
  return new Uint8Array(buffer.slice(bytes.byteOffset, bytes.byteOffset + byteLength));
}
