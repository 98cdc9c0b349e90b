/**
 * Live training curves and the confusion matrix. Loaded lazily: tfjs-vis and vega are most of
 * the bundle and the first screen needs none of them. The curves are live vega views that get
 * new points streamed; the confusion matrix is drawn once per evaluation, in several tasks.
 */
import type { EpochMetrics } from '../../training/run-types';
import { LineChart } from './line-chart';
import type { LineChartFrame } from './live-line-chart';
import { batchFrame, epochFrame, type BatchSeries } from './training-chart-frames';

const CHART_HEIGHT_PX = 220;

interface ChartSpec {
  /** Accessible name of the chart's figure. */
  label: string;
  yLabel: string;
  frame: () => LineChartFrame | null;
}

/** Charts side by side, all refreshed when `version` changes. */
function ChartRow({ charts, version }: { charts: ChartSpec[]; version: unknown }) {
  return (
    <div className="chart-row">
      {charts.map((chart) => (
        <LineChart key={chart.label} {...chart} heightPx={CHART_HEIGHT_PX} version={version} />
      ))}
    </div>
  );
}

/** Training loss and accuracy per batch. `version` changes when new batches arrived. */
export function BatchCharts({
  getSeries,
  version,
}: {
  getSeries: () => BatchSeries;
  version: unknown;
}) {
  const charts: ChartSpec[] = [
    {
      label: 'Training loss per batch',
      yLabel: 'loss',
      frame: () => batchFrame(getSeries().loss, 'training loss'),
    },
    {
      label: 'Training accuracy per batch',
      yLabel: 'accuracy',
      frame: () => batchFrame(getSeries().accuracy, 'training accuracy'),
    },
  ];
  return <ChartRow charts={charts} version={version} />;
}

/** Training and validation loss and accuracy per epoch. */
export function EpochCharts({ epochs }: { epochs: EpochMetrics[] }) {
  const charts: ChartSpec[] = [
    { label: 'Loss per epoch', yLabel: 'loss', frame: () => epochFrame(epochs, 'loss') },
    {
      label: 'Accuracy per epoch',
      yLabel: 'accuracy',
      frame: () => epochFrame(epochs, 'accuracy'),
    },
  ];
  return <ChartRow charts={charts} version={epochs} />;
}

export { ConfusionMatrixChart } from './confusion-matrix-chart';
export { warmUpLineCharts } from './live-line-chart';
