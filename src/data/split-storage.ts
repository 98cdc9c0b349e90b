/**
 * Output arrays of one split: preallocated to an upper bound on the row count, written in
 * place by the parsers, and cut to the exact length at the end so no over-allocation is kept.
 */
import { PIXELS_PER_IMAGE } from '../config/dataset';

/** uint8 images [capacity × 784] and labels [capacity], filled from row 0 up. */
export interface SplitStorage {
  images: Uint8Array;
  labels: Uint8Array;
  rowCapacity: number;
}

export function createSplitStorage(rowCapacity: number): SplitStorage {
  return {
    images: new Uint8Array(rowCapacity * PIXELS_PER_IMAGE),
    labels: new Uint8Array(rowCapacity),
    rowCapacity,
  };
}

/** The first `rowCount` rows as exact-length arrays, each on its own ArrayBuffer. */
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
  transferToFixedLength?: (newByteLength?: number) => ArrayBuffer;
}

/**
 * `transferToFixedLength` lets the engine shrink the allocation in place and detaches the big
 * one at once; Node 20 lacks it, so there the fallback copies with `slice` and the
 * over-allocated buffer is left to the garbage collector.
 */
function exactLength(bytes: Uint8Array, byteLength: number): Uint8Array {
  const buffer = bytes.buffer as ArrayBuffer & TransferableBuffer;
  if (bytes.byteOffset === 0 && buffer.byteLength === byteLength) return bytes;
  if (bytes.byteOffset === 0 && typeof buffer.transferToFixedLength === 'function') {
    return new Uint8Array(buffer.transferToFixedLength(byteLength));
  }
  return new Uint8Array(buffer.slice(bytes.byteOffset, bytes.byteOffset + byteLength));
}
