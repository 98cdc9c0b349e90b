import { describe, expect, it } from 'vitest';
import { IMAGE_SIZE_PX, PIXELS_PER_IMAGE } from '../../../src/config/dataset';
import {
  rgbaToGrayscale28,
  toDatasetPolarity,
  topClasses,
} from '../../../src/ui/try-it/image-to-input';
import { loadRealSplit } from '../training/real-data';

const PICTURE_SIZE_PX = 280;
const TEST_IMAGE_COUNT = 5;

/** One 28×28 image scaled up by nearest neighbour to a size×size RGBA picture, as a saved PNG would be. */
function upscaleToRgba(
  gray: Uint8Array,
  size: number,
  toValue: (v: number) => number = (v) => v,
): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const source = Math.floor((y * IMAGE_SIZE_PX) / size) * IMAGE_SIZE_PX;
      const v = toValue(gray[source + Math.floor((x * IMAGE_SIZE_PX) / size)]);
      rgba.set([v, v, v, 255], (y * size + x) * 4);
    }
  }
  return rgba;
}

function maxAbsDifference(a: Uint8Array, b: Uint8Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

const { images } = loadRealSplit('test', TEST_IMAGE_COUNT);
const imageAt = (i: number) => images.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE);

describe('rgbaToGrayscale28', () => {
  it('recovers real test images from a 280×280 picture of them', () => {
    for (let i = 0; i < TEST_IMAGE_COUNT; i++) {
      const picture = upscaleToRgba(imageAt(i), PICTURE_SIZE_PX);
      const gray = rgbaToGrayscale28(picture, PICTURE_SIZE_PX, PICTURE_SIZE_PX);
      expect(gray).toHaveLength(PIXELS_PER_IMAGE);
      expect(maxAbsDifference(gray, imageAt(i))).toBeLessThanOrEqual(1);
    }
  });

  it('averages areas when the size is not a multiple of 28, keeping the mean brightness', () => {
    const size = 101;
    const picture = upscaleToRgba(imageAt(0), size);
    const gray = rgbaToGrayscale28(picture, size, size);
    let pictureSum = 0;
    for (let p = 0; p < size * size; p++) pictureSum += picture[p * 4];
    const grayMean = gray.reduce((s, v) => s + v, 0) / PIXELS_PER_IMAGE;
    expect(Math.abs(grayMean - pictureSum / (size * size))).toBeLessThan(0.5);
    // Not exact per pixel (cells straddle source pixels), but close to the original.
    const meanError =
      imageAt(0).reduce((s, v, i) => s + Math.abs(v - gray[i]), 0) / PIXELS_PER_IMAGE;
    expect(meanError).toBeLessThan(20);
  });

  it('weights colour channels by luminance', () => {
    const red = new Uint8ClampedArray(4 * 4 * 4);
    for (let p = 0; p < 16; p++) red.set([255, 0, 0, 255], p * 4);
    expect(rgbaToGrayscale28(red, 4, 4)[0]).toBe(76); // 0.299 × 255
    const green = new Uint8ClampedArray(4 * 4 * 4);
    for (let p = 0; p < 16; p++) green.set([0, 255, 0, 255], p * 4);
    expect(rgbaToGrayscale28(green, 4, 4)[0]).toBe(150); // 0.587 × 255
  });

  it('composites transparent pixels over white', () => {
    const size = 56;
    const rgba = new Uint8ClampedArray(size * size * 4);
    for (let p = 0; p < size * size; p++) {
      // Left half fully transparent black, right half half-transparent black.
      rgba.set([0, 0, 0, p % size < size / 2 ? 0 : 128], p * 4);
    }
    const gray = rgbaToGrayscale28(rgba, size, size);
    expect(gray[0]).toBe(255);
    expect(gray[IMAGE_SIZE_PX - 1]).toBe(Math.round(255 * (1 - 128 / 255)));
  });

  it('rejects a buffer that does not match the size', () => {
    expect(() => rgbaToGrayscale28(new Uint8ClampedArray(10), 2, 2)).toThrow(/2×2×4/);
  });
});

describe('toDatasetPolarity', () => {
  it('inverts a dark-on-light picture of a real image back to the dataset polarity', () => {
    for (let i = 0; i < TEST_IMAGE_COUNT; i++) {
      const picture = upscaleToRgba(imageAt(i), PICTURE_SIZE_PX, (v) => 255 - v);
      const gray = rgbaToGrayscale28(picture, PICTURE_SIZE_PX, PICTURE_SIZE_PX);
      expect(maxAbsDifference(gray, imageAt(i))).toBeGreaterThan(100);
      expect(maxAbsDifference(toDatasetPolarity(gray), imageAt(i))).toBeLessThanOrEqual(1);
    }
  });

  it('leaves light-on-dark images unchanged, in a new array', () => {
    const original = imageAt(1).slice();
    const result = toDatasetPolarity(original);
    expect(result).toEqual(original);
    expect(result).not.toBe(original);
  });
});

describe('topClasses', () => {
  const probabilities = new Float32Array([0.05, 0.6, 0.01, 0.2, 0, 0, 0.1, 0.04, 0, 0]);

  it('returns the three most probable classes, most probable first', () => {
    const top = topClasses(probabilities);
    expect(top.map((c) => c.label)).toEqual([1, 3, 6]);
    expect(top[0].probability).toBeCloseTo(0.6, 6);
  });

  it('honours k', () => {
    expect(topClasses(probabilities, 1).map((c) => c.label)).toEqual([1]);
    expect(topClasses(probabilities, 5).map((c) => c.label)).toEqual([1, 3, 6, 0, 7]);
    expect(topClasses(probabilities, 0)).toEqual([]);
  });
});
