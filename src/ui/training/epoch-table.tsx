import type { EpochMetrics } from '../../training/run-types';
import { formatDuration, formatMetric, formatPercent } from '../format';

/**
 * The numbers behind the epoch charts, one row per finished epoch (what Keras prints per
 * epoch). A resumed run shows its epochs from before the reload too, marked as such.
 */
export function EpochTable({
  epochs,
  resumedAtEpoch,
}: {
  epochs: EpochMetrics[];
  /** Epochs that came from a checkpoint rather than this visit. */
  resumedAtEpoch?: number;
}) {
  if (epochs.length === 0) return null;
  return (
    <div className="table-scroll">
      <table aria-label="Epoch history" className="epoch-table">
        <thead>
          <tr>
            <th scope="col">Epoch</th>
            <th scope="col">Loss</th>
            <th scope="col">Accuracy</th>
            <th scope="col">Val. loss</th>
            <th scope="col">Val. accuracy</th>
            <th scope="col">Training time</th>
          </tr>
        </thead>
        <tbody>
          {epochs.map((e) => (
            <tr key={e.epoch}>
              <td className="num">
                {e.epoch + 1}
                {resumedAtEpoch !== undefined && e.epoch < resumedAtEpoch ? ' (checkpoint)' : ''}
              </td>
              <td className="num">{formatMetric(e.loss)}</td>
              <td className="num">{formatPercent(e.accuracy)}</td>
              <td className="num">{formatMetric(e.valLoss)}</td>
              <td className="num">{formatPercent(e.valAccuracy)}</td>
              <td className="num">{formatDuration(e.elapsedMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
