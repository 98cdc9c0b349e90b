/**
 * Per-batch curves grow to tens of thousands of points; vega redraws all of them on every
 * refresh. Averaging them into at most `maxPoints` buckets keeps a redraw cheap and also
 * smooths the noise of single batches.
 */
export interface DownsampledSeries {
  /** Bucket means, one per point. */
  values: number[];
  /** How many source points each bucket averages (the last bucket may hold fewer). */
  bucketSize: number;
}

export function downsampleMeans(source: ArrayLike<number>, maxPoints: number): DownsampledSeries {
  const bucketSize = Math.max(1, Math.ceil(source.length / maxPoints));
  const values: number[] = [];
  for (let start = 0; start < source.length; start += bucketSize) {
    const end = Math.min(source.length, start + bucketSize);
    let sum = 0;
    for (let i = start; i < end; i++) sum += source[i];
    values.push(sum / (end - start));
  }
  return { values, bucketSize };
}
