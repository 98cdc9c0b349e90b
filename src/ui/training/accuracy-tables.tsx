import { CLASS_NAMES } from '../../config/dataset';
import type { EpochMetrics, EvaluationResult } from '../../training/run-types';
import { formatPercent } from '../format';

/** The seed project's summary: training, validation and test accuracy side by side. */
export function AccuracySummaryTable({
  lastEpoch,
  testAccuracy,
}: {
  lastEpoch?: EpochMetrics;
  testAccuracy: number;
}) {
  return (
    <table className="summary" aria-label="Accuracy summary">
      <thead>
        <tr>
          <th scope="col">Training accuracy</th>
          <th scope="col">Validation accuracy</th>
          <th scope="col">Test accuracy</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <td>{lastEpoch ? formatPercent(lastEpoch.accuracy) : '–'}</td>
          <td>{lastEpoch ? formatPercent(lastEpoch.valAccuracy) : '–'}</td>
          <td>{formatPercent(testAccuracy)}</td>
        </tr>
      </tbody>
    </table>
  );
}

/** Test accuracy of each class, a row per class. */
export function PerClassAccuracyTable({
  perClassAccuracy,
}: {
  perClassAccuracy: EvaluationResult['perClassAccuracy'];
}) {
  return (
    <table aria-label="Per-class accuracy" className="per-class">
      <thead>
        <tr>
          <th scope="col">Class</th>
          <th scope="col">Accuracy</th>
        </tr>
      </thead>
      <tbody>
        {perClassAccuracy.map((accuracy, label) => (
          <tr key={label}>
            <th scope="row">{CLASS_NAMES[label]}</th>
            <td className="num">{formatPercent(accuracy, 1)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
