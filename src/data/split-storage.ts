/**
 * Output arrays of one split, written in place by the parsers. The row count is not known until
 * the end of the file, so the arrays grow in steps of GROWTH_STEP_ROWS rows inside a resizable
 * ArrayBuffer (its reserved maximum is the file-size bound; pages are committed only as rows
 * arrive, and growing never copies). At the end the rows are copied once onto a fixed-length
 * buffer: Web APIs (ImageData, Blob, TextDecoder, …) reject views on resizable buffers.
 */
import { PIXELS_PER_IMAGE } from '../config/dataset';

/** Rows added per growth step: 3.2 MB of pixels, 15 steps for the 60,000-row train CSV. */
export const GROWTH_STEP_ROWS = 4096;

/**
 * 'growable': resizable buffers grown in steps (peak ≈ rows read so far, then 2× for the final
 * copy). 'upper-bound': all `maxRows` allocated up front (peak ≈ bound +
 * exact, 66 + 47 MB for the train CSV); used where resizable buffers are missing, and selectable
 * so the benchmark can show both.
 */
export type SplitAllocation = 'growable' | 'upper-bound';

export interface SplitStorageOptions {
  allocation?: SplitAllocation;
  /** Rows per growth step (tests use small steps to cross many boundaries). */
  growthStepRows?: number;
}

export interface SplitStorage {
  /** uint8 [rowCapacity × 784] row-major pixels. Replaced by `grow()`: re-read it after. */
  images: Uint8Array;
  /** uint8 [rowCapacity] labels. Replaced by `grow()`: re-read it after. */
  labels: Uint8Array;
  /** Rows the current views hold, ≥ 1. */
  rowCapacity: number;
  /** Rows the storage may ever hold (the file-size bound); `grow()` stops there. */
  readonly maxRows: number;
  /** Adds up to one growth step of rows, within `maxRows`; returns the new `rowCapacity`. */
  grow(): number;
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
  if (options.allocation === 'upper-bound' || !supportsResizableBuffers()) {
    return createUpperBoundStorage(maxRows);
  }
  return new GrowableSplitStorage(maxRows, options.growthStepRows ?? GROWTH_STEP_ROWS);
}

function createUpperBoundStorage(maxRows: number): SplitStorage {
  return {
    images: new Uint8Array(maxRows * PIXELS_PER_IMAGE),
    labels: new Uint8Array(maxRows),
    rowCapacity: maxRows,
    maxRows,
    grow: () => maxRows,
  };
}

class GrowableSplitStorage implements SplitStorage {
  images: Uint8Array;
  labels: Uint8Array;
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
}

/** The first `rowCount` rows as exact-length arrays, each on its own fixed-length ArrayBuffer. */
export function finishSplitStorage(
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
