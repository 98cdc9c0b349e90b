/**
 * Live training curves and the confusion matrix. Loaded lazily: tfjs-vis and vega are most of
 * the bundle and the first screen needs none of them. The curves are live vega views that get
 * new points streamed; the confusion matrix is drawn once per evaluation, in several tasks.
 */
import type { EpochMetrics } from '../../training/run-types';
import { EPOCH_IMAGE_TITLES } from './chart-titles';
import { LineChart } from './line-chart';
import type { LineChartFrame } from './live-line-chart';
import { batchFrame, epochFrame, type BatchSeries } from './training-chart-frames';

const CHART_HEIGHT_PX = 220;

interface ChartSpec {
  /** Accessible name of the chart's figure. */
  label: string;
  yLabel: string;
  frame: () => LineChartFrame | null;
  /** The downloads' title and file name. */
  image: { title: string; fileStem: string };
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
      image: { title: 'loss per batch', fileStem: 'loss-per-batch' },
    },
    {
      label: 'Training accuracy per batch',
      yLabel: 'accuracy',
      frame: () => batchFrame(getSeries().accuracy, 'training accuracy'),
      image: { title: 'accuracy per batch', fileStem: 'accuracy-per-batch' },
    },
  ];
  return <ChartRow charts={charts} version={version} />;
}

/**
 * Training and validation loss and accuracy per epoch; their images are titled like the seed
 * project's Keras figures ("model loss", "model accuracy") and named like the command line's.
 */
export function EpochCharts({ epochs }: { epochs: EpochMetrics[] }) {
  const charts: ChartSpec[] = [
    {
      label: 'Loss per epoch',
      yLabel: 'loss',
      frame: () => epochFrame(epochs, 'loss'),
      image: { title: EPOCH_IMAGE_TITLES.loss, fileStem: 'loss' },
    },
    {
      label: 'Accuracy per epoch',
      yLabel: 'accuracy',
      frame: () => epochFrame(epochs, 'accuracy'),
      image: { title: EPOCH_IMAGE_TITLES.accuracy, fileStem: 'accuracy' },
    },
  ];
  return <ChartRow charts={charts} version={epochs} />;
}

export { ConfusionMatrixChart } from './confusion-matrix-chart';
export { PerClassAccuracyChart } from './per-class-accuracy-chart';
export { RunComparisonChart } from './run-comparison-chart';
export { warmUpLineCharts } from './live-line-chart';
