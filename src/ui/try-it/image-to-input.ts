/**
 * Turning a user's picture or drawing into what the model was trained on: one 28×28 uint8
 * grayscale image, light garment on a dark background. Pure functions, so they run in Node tests.
 */
import { IMAGE_SIZE_PX, MAX_PIXEL_VALUE, PIXELS_PER_IMAGE } from '../../config/dataset';

/** ITU-R BT.601 luma weights, the usual RGB → gray conversion. */
const LUMA_RED = 0.299;
const LUMA_GREEN = 0.587;
const LUMA_BLUE = 0.114;
/** A border brighter than this on average (0–255) means a dark-on-light picture. */
const LIGHT_BORDER_THRESHOLD = 127;

/**
 * For each of `outSize` output cells along one axis, the source pixels it covers and the
 * fraction of the cell each covers (weights sum to 1). Handles sizes that are not multiples.
 */
function areaWeights(inSize: number, outSize: number): { index: number; weight: number }[][] {
  const cellSize = inSize / outSize;
  const cells: { index: number; weight: number }[][] = [];
  for (let out = 0; out < outSize; out++) {
    const start = out * cellSize;
    const end = start + cellSize;
    const cell: { index: number; weight: number }[] = [];
    for (let i = Math.floor(start); i < Math.min(Math.ceil(end), inSize); i++) {
      const overlap = Math.min(end, i + 1) - Math.max(start, i);
      if (overlap > 0) cell.push({ index: i, weight: overlap / cellSize });
    }
    cells.push(cell);
  }
  return cells;
}

/**
 * rgba: uint8 [height × width × 4] (canvas ImageData order) → uint8 [784] grayscale, 0–255.
 * Transparent pixels are composited over white (how a PNG with transparency looks on a page),
 * and each output pixel is the area-weighted mean of the source pixels it covers, so thin
 * strokes fade rather than vanish. The picture is stretched to a square.
 */
export function rgbaToGrayscale28(
  rgba: Uint8ClampedArray,
  width: number,
  height: number,
): Uint8Array {
  if (width <= 0 || height <= 0 || rgba.length !== width * height * 4) {
    throw new Error(`Expected ${width}×${height}×4 RGBA bytes, got ${rgba.length}.`);
  }
  const gray = new Float64Array(width * height);
  for (let p = 0; p < gray.length; p++) {
    const alpha = rgba[p * 4 + 3] / MAX_PIXEL_VALUE;
    const luma =
      LUMA_RED * rgba[p * 4] + LUMA_GREEN * rgba[p * 4 + 1] + LUMA_BLUE * rgba[p * 4 + 2];
    gray[p] = alpha * luma + (1 - alpha) * MAX_PIXEL_VALUE;
  }
  const columns = areaWeights(width, IMAGE_SIZE_PX);
  const rows = areaWeights(height, IMAGE_SIZE_PX);
  const out = new Uint8Array(PIXELS_PER_IMAGE);
  for (let y = 0; y < IMAGE_SIZE_PX; y++) {
    for (let x = 0; x < IMAGE_SIZE_PX; x++) {
      let sum = 0;
      for (const row of rows[y]) {
        const rowOffset = row.index * width;
        for (const column of columns[x]) {
          sum += row.weight * column.weight * gray[rowOffset + column.index];
        }
      }
      out[y * IMAGE_SIZE_PX + x] = Math.min(MAX_PIXEL_VALUE, Math.max(0, Math.round(sum)));
    }
  }
  return out;
}

/** Mean of the outermost ring of pixels of a 28×28 image. */
function borderMean(gray: Uint8Array): number {
  let sum = 0;
  let count = 0;
  for (let y = 0; y < IMAGE_SIZE_PX; y++) {
    for (let x = 0; x < IMAGE_SIZE_PX; x++) {
      if (y === 0 || x === 0 || y === IMAGE_SIZE_PX - 1 || x === IMAGE_SIZE_PX - 1) {
        sum += gray[y * IMAGE_SIZE_PX + x];
        count++;
      }
    }
  }
  return sum / count;
}

/**
 * gray: uint8 [784] → uint8 [784] light-on-dark like the dataset. Photos and product shots
 * are usually dark-on-light; a light border says so, and then the image is inverted.
 * Returns a new array either way.
 */
export function toDatasetPolarity(gray: Uint8Array): Uint8Array {
  if (gray.length !== PIXELS_PER_IMAGE) {
    throw new Error(`Expected ${PIXELS_PER_IMAGE} pixels, got ${gray.length}.`);
  }
  if (borderMean(gray) <= LIGHT_BORDER_THRESHOLD) return gray.slice();
  return gray.map((v) => MAX_PIXEL_VALUE - v);
}

/** probabilities: float32 [10] → the `k` most probable classes, most probable first. */
export function topClasses(
  probabilities: Float32Array,
  k = 3,
): { label: number; probability: number }[] {
  return Array.from(probabilities, (probability, label) => ({ label, probability }))
    .sort((a, b) => b.probability - a.probability || a.label - b.label)
    .slice(0, Math.max(0, k));
}
