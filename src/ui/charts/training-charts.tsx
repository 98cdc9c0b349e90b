/**
 * Live training curves and the confusion matrix. Loaded lazily: tfjs-vis (with vega) is most
 * of the bundle and the first screen needs none of it.
 */
import { CLASS_NAMES } from '../../config/dataset';
import type { EpochMetrics, EvaluationResult } from '../../training/training-protocol';
import { downsampleMeans } from './downsample';
import { VisChart, type ChartSpec } from './vis-chart';

/** At most this many points per per-batch curve; more are averaged into buckets. */
export const MAX_BATCH_CHART_POINTS = 300;
const CHART_HEIGHT_PX = 220;

export interface BatchSeries {
  loss: number[];
  accuracy: number[];
}

function batchSpec(values: number[], yLabel: string, series: string): ChartSpec | null {
  if (values.length === 0) return null;
  const { values: points, bucketSize } = downsampleMeans(values, MAX_BATCH_CHART_POINTS);
  return {
    kind: 'line',
    data: { values: [points.map((y, x) => ({ x, y }))], series: [series] },
    options: {
      xLabel: bucketSize === 1 ? 'batch' : `batch (each point: mean of ${bucketSize})`,
      yLabel,
      height: CHART_HEIGHT_PX,
      zoomToFit: true,
    },
  };
}

/** Training loss and accuracy per batch. `version` changes when new batches arrived. */
export function BatchCharts({
  getSeries,
  version,
}: {
  getSeries: () => BatchSeries;
  version: unknown;
}) {
  return (
    <div className="chart-row">
      <VisChart
        label="Training loss per batch"
        version={version}
        spec={() => batchSpec(getSeries().loss, 'loss', 'training loss')}
      />
      <VisChart
        label="Training accuracy per batch"
        version={version}
        spec={() => batchSpec(getSeries().accuracy, 'accuracy', 'training accuracy')}
      />
    </div>
  );
}

function epochSpec(epochs: EpochMetrics[], metric: 'loss' | 'accuracy'): ChartSpec | null {
  if (epochs.length === 0) return null;
  const train = epochs.map((e) => ({ x: e.epoch + 1, y: metric === 'loss' ? e.loss : e.accuracy }));
  const hasValidation = epochs.every((e) => Number.isFinite(e.valLoss));
  const validation = epochs.map((e) => ({
    x: e.epoch + 1,
    y: metric === 'loss' ? e.valLoss : e.valAccuracy,
  }));
  return {
    kind: 'line',
    data: hasValidation
      ? { values: [train, validation], series: [`training ${metric}`, `validation ${metric}`] }
      : { values: [train], series: [`training ${metric}`] },
    options: {
      xLabel: 'epoch (counted from 0)',
      yLabel: metric,
      height: CHART_HEIGHT_PX,
      zoomToFit: true,
    },
  };
}

/** Training and validation loss and accuracy per epoch. */
export function EpochCharts({ epochs }: { epochs: EpochMetrics[] }) {
  return (
    <div className="chart-row">
      <VisChart label="Loss per epoch" version={epochs} spec={() => epochSpec(epochs, 'loss')} />
      <VisChart
        label="Accuracy per epoch"
        version={epochs}
        spec={() => epochSpec(epochs, 'accuracy')}
      />
    </div>
  );
}

export function ConfusionMatrixChart({ evaluation }: { evaluation: EvaluationResult }) {
  return (
    <VisChart
      label="Confusion matrix (rows: true class, columns: predicted class)"
      version={evaluation}
      spec={() => ({
        kind: 'confusion',
        data: { values: evaluation.confusion, tickLabels: [...CLASS_NAMES] },
        options: { shadeDiagonal: false, height: 420, width: 480 },
      })}
    />
  );
}
