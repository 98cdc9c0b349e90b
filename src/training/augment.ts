/**
 * Augmentation of training images on the fly: a random horizontal flip and a random shift by
 * whole pixels, applied to the uint8 batch before it becomes a tensor (cheap next to a
 * training step). Each image's flip and shift follow from (seed, epoch, row) alone, so a run
 * resumed from a checkpoint draws exactly what the uninterrupted run would have.
 */
import { IMAGE_SIZE_PX, PIXELS_PER_IMAGE } from '../config/dataset';

export interface AugmentSettings {
  /** Mirror each image left–right with probability ½. */
  flip: boolean;
  /** Shift each image by −n … n pixels on both axes (uniform, independent), filling with 0. */
  shiftPx: number;
}

export const NO_AUGMENTATION: AugmentSettings = { flip: false, shiftPx: 0 };

/** The augmentation a row gets in an epoch. */
export interface ImageAugmentation {
  isFlipped: boolean;
  /** Pixels right (positive) or left. */
  dx: number;
  /** Pixels down (positive) or up. */
  dy: number;
}

/** A 32-bit hash of three 32-bit numbers (murmur3's finaliser over a combination). */
function hash3(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35) ^ c;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** What row `row` gets in `epoch` of a run seeded with `seed` (uint32s). */
export function augmentationOf(
  settings: AugmentSettings,
  seed: number,
  epoch: number,
  row: number,
): ImageAugmentation {
  const h = hash3(seed >>> 0, epoch >>> 0, row >>> 0);
  const span = 2 * settings.shiftPx + 1;
  return {
    isFlipped: settings.flip && (h & 1) === 1,
    // Two independent draws from the hash's upper bits (mod bias < 1e-5 for spans ≤ 9).
    dx: settings.shiftPx > 0 ? ((h >>> 8) % span) - settings.shiftPx : 0,
    dy: settings.shiftPx > 0 ? ((h >>> 20) % span) - settings.shiftPx : 0,
  };
}

export function isAugmenting(settings: AugmentSettings): boolean {
  return settings.flip || settings.shiftPx > 0;
}

/**
 * Applies `augmentation` to the 28 × 28 image at `offset` of `pixels` (uint8, row-major), in
 * place; `scratch` is a 784-byte buffer the caller reuses. Output pixel (y, x) is input pixel
 * (y − dy, x − dx) of the (optionally mirrored) image, 0 outside it.
 */
export function augmentImage(
  pixels: Uint8Array,
  offset: number,
  augmentation: ImageAugmentation,
  scratch: Uint8Array,
): void {
  const { isFlipped, dx, dy } = augmentation;
  if (!isFlipped && dx === 0 && dy === 0) return;
  const size = IMAGE_SIZE_PX;
  scratch.set(pixels.subarray(offset, offset + PIXELS_PER_IMAGE));
  for (let y = 0; y < size; y++) {
    const sourceY = y - dy;
    const rowStart = offset + y * size;
    if (sourceY < 0 || sourceY >= size) {
      pixels.fill(0, rowStart, rowStart + size);
      continue;
    }
    for (let x = 0; x < size; x++) {
      const shiftedX = x - dx;
      const sourceX = isFlipped ? size - 1 - shiftedX : shiftedX;
      pixels[rowStart + x] =
        shiftedX < 0 || shiftedX >= size ? 0 : scratch[sourceY * size + sourceX];
    }
  }
}
