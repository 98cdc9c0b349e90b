import { describe, expect, test } from 'vitest';
import { downsampleMeans } from '../../../src/ui/charts/downsample';

/** 1, 2, …, n */
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('downsampleMeans', () => {
  test('averages whole buckets', () => {
    expect(downsampleMeans(oneTo(10), 5)).toEqual({
      values: [1.5, 3.5, 5.5, 7.5, 9.5],
      bucketSize: 2,
    });
  });

  test('the last bucket averages only what is left', () => {
    // ceil(10 / 3) = 4: buckets 1–4, 5–8, 9–10.
    expect(downsampleMeans(oneTo(10), 3)).toEqual({ values: [2.5, 6.5, 9.5], bucketSize: 4 });
  });

  test('fewer (or as many) values than maxPoints come back unchanged', () => {
    const losses = [2.31, 1.87, 1.2, 0.95];
    expect(downsampleMeans(losses, 10)).toEqual({ values: losses, bucketSize: 1 });
    expect(downsampleMeans(losses, 4)).toEqual({ values: losses, bucketSize: 1 });
  });

  test('empty input gives no points', () => {
    expect(downsampleMeans([], 500)).toEqual({ values: [], bucketSize: 1 });
  });

  test('reads typed arrays', () => {
    const source = Float32Array.from([0.5, 1.5, 2.5, 3.5]);
    expect(downsampleMeans(source, 2)).toEqual({ values: [1, 3], bucketSize: 2 });
  });

  test.each([1, 2, 99, 500, 501, 937, 9_375, 60_000])(
    '%i points never exceed maxPoints = 500 and keep the overall mean',
    (length) => {
      const source = Array.from({ length }, (_, i) => Math.sin(i) + i / length);
      const { values, bucketSize } = downsampleMeans(source, 500);
      expect(values.length).toBeLessThanOrEqual(500);
      expect(values.length).toBe(Math.ceil(length / bucketSize));
      // Weighting each bucket by its size gives back the source mean.
      const lastSize = length - (values.length - 1) * bucketSize;
      const weighted =
        values.slice(0, -1).reduce((sum, v) => sum + v * bucketSize, 0) +
        (values.at(-1) ?? 0) * lastSize;
      const sourceSum = source.reduce((sum, v) => sum + v, 0);
      expect(weighted).toBeCloseTo(sourceSum, 6);
    },
  );
});
