/**
 * What the live training charts show, from the metrics the training reports: plain data, so
 * it can be tested without a browser.
 */
import type { EpochMetrics } from '../../training/run-types';
import { downsampleMeans } from './downsample';
import type { LineChartFrame } from './live-line-chart';

/** At most this many points per per-batch curve; more are averaged into buckets. */
export const MAX_BATCH_CHART_POINTS = 300;

export interface BatchSeries {
  loss: number[];
  accuracy: number[];
}

/** The per-batch curve of one metric, averaged into at most MAX_BATCH_CHART_POINTS. */
export function batchFrame(values: number[], series: string): LineChartFrame | null {
  if (values.length === 0) return null;
  const { values: points, bucketSize } = downsampleMeans(values, MAX_BATCH_CHART_POINTS);
  return {
    series: [series],
    values: [points],
    xLabel: bucketSize === 1 ? 'batch' : `batch (each point: mean of ${bucketSize})`,
  };
}

/** Training (and, with a validation split, validation) `metric` per epoch. */
export function epochFrame(
  epochs: EpochMetrics[],
  metric: 'loss' | 'accuracy',
): LineChartFrame | null {
  if (epochs.length === 0) return null;
  const train = epochs.map((e) => (metric === 'loss' ? e.loss : e.accuracy));
  const hasValidation = epochs.every((e) => Number.isFinite(e.valLoss));
  const validation = epochs.map((e) => (metric === 'loss' ? e.valLoss : e.valAccuracy));
  return {
    series: hasValidation ? [`training ${metric}`, `validation ${metric}`] : [`training ${metric}`],
    values: hasValidation ? [train, validation] : [train],
    xLabel: 'epoch (counted from 0)',
  };
}
