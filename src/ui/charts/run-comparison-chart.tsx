/** The validation-accuracy curves of the runs picked in the runs table, in one chart. */
import type { EpochMetrics } from '../../training/run-types';
import { LineChart } from './line-chart';
import { comparisonFrame } from './training-chart-frames';

const COMPARISON_HEIGHT_PX = 260;

export function RunComparisonChart({
  runs,
}: {
  /** `name` labels the run's line (and legend entry). */
  runs: readonly { name: string; history: readonly EpochMetrics[] }[];
}) {
  return (
    <div className="comparison">
      <LineChart
        label="Validation accuracy of the compared runs"
        yLabel="validation accuracy"
        heightPx={COMPARISON_HEIGHT_PX}
        frame={() => comparisonFrame(runs)}
        version={runs}
        image={{ title: 'validation accuracy per epoch', fileStem: 'validation-accuracy-runs' }}
      />
    </div>
  );
}
