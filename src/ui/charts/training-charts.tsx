/**
 * Live training curves and the confusion matrix. Loaded lazily: tfjs-vis and vega are most of
 * the bundle and the first screen needs none of them. The curves are live vega views that get
 * new points streamed; the confusion matrix is drawn once per evaluation, in several tasks.
 */
import type { EpochMetrics } from '../../training/run-types';
import { LineChart } from './line-chart';
import { batchFrame, epochFrame, type BatchSeries } from './training-chart-frames';

const CHART_HEIGHT_PX = 220;

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
      <LineChart
        label="Training loss per batch"
        yLabel="loss"
        heightPx={CHART_HEIGHT_PX}
        version={version}
        frame={() => batchFrame(getSeries().loss, 'training loss')}
      />
      <LineChart
        label="Training accuracy per batch"
        yLabel="accuracy"
        heightPx={CHART_HEIGHT_PX}
        version={version}
        frame={() => batchFrame(getSeries().accuracy, 'training accuracy')}
      />
    </div>
  );
}

/** Training and validation loss and accuracy per epoch. */
export function EpochCharts({ epochs }: { epochs: EpochMetrics[] }) {
  return (
    <div className="chart-row">
      <LineChart
        label="Loss per epoch"
        yLabel="loss"
        heightPx={CHART_HEIGHT_PX}
        version={epochs}
        frame={() => epochFrame(epochs, 'loss')}
      />
      <LineChart
        label="Accuracy per epoch"
        yLabel="accuracy"
        heightPx={CHART_HEIGHT_PX}
        version={epochs}
        frame={() => epochFrame(epochs, 'accuracy')}
      />
    </div>
  );
}

export { ConfusionMatrixChart } from './confusion-matrix-chart';
export { warmUpLineCharts } from './live-line-chart';
