/**
 * What the live training charts show, from the metrics the training reports: plain data, so
 * it can be tested without a browser.
 */
import type { EpochMetrics } from '../../training/run-types';
import { formatMetric, formatPercent } from '../format';
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
    xLabel: 'epoch',
    isCounted: true,
  };
}

/** One series in words: first → last, and its best value (the lowest loss, highest accuracy). */
function describeSeries(
  name: string,
  values: readonly number[],
  isCounted: boolean,
  isAccuracy: boolean,
): string | null {
  const points = values.map((y, i) => [i, y] as const).filter(([, y]) => Number.isFinite(y));
  if (points.length === 0) return null;
  const format = isAccuracy ? (y: number) => formatPercent(y) : formatMetric;
  const [best, bestAt] = points.reduce(
    ([b, at], [i, y]) => ((isAccuracy ? y > b : y < b) ? [y, i] : [b, at]),
    [points[0][1], points[0][0]],
  );
  const first = format(points[0][1]);
  const last = format(points[points.length - 1][1]);
  const where = isCounted ? ` at epoch ${bestAt + 1}` : '';
  return `${name} ${first} → ${last}, ${isAccuracy ? 'highest' : 'lowest'} ${format(best)}${where}`;
}

/**
 * What a line chart shows, in a sentence: its text alternative, under the chart. E.g. "3
 * epochs: training loss 0.6000 → 0.4000, lowest 0.4000 at epoch 3; …".
 */
export function summarizeFrame(frame: LineChartFrame, yLabel: string): string {
  const isAccuracy = /accuracy/.test(yLabel);
  const count = Math.max(0, ...frame.values.map((v) => v.length));
  const extent = frame.isCounted
    ? `${count} epoch${count === 1 ? '' : 's'}`
    : `${count} point${count === 1 ? '' : 's'} (${frame.xLabel})`;
  const parts = frame.series
    .map((name, s) => describeSeries(name, frame.values[s], frame.isCounted ?? false, isAccuracy))
    .filter((part): part is string => part !== null);
  return `${extent}: ${parts.length > 0 ? parts.join('; ') : 'no values yet'}.`;
}

/** Characters vega would read as a path into the row (a.b, a[0]) in a series name. */
const FIELD_PATH_CHARACTERS = /[.[\]\\"']/g;

/**
 * Validation accuracy per epoch of several runs, one series each, for the runs table's
 * comparison; runs of different lengths are fine (a shorter line ends early).
 */
export function comparisonFrame(
  runs: readonly { name: string; history: readonly EpochMetrics[] }[],
): LineChartFrame | null {
  if (runs.length === 0) return null;
  return {
    series: runs.map((run) => run.name.replace(FIELD_PATH_CHARACTERS, ' ')),
    values: runs.map((run) => run.history.map((e) => e.valAccuracy)),
    xLabel: 'epoch',
    isCounted: true,
  };
}
