import { historyCsv } from '../../storage/history-csv';
import type { EpochMetrics } from '../../training/run-types';
import { formatDuration, formatMetric, formatPercent } from '../format';
import { saveFile } from '../save-file';

/** The file name of the history download: the command line's name for the same file. */
export const HISTORY_FILE_NAME = 'history.csv';

/** Hands the epoch history to the browser's downloads as CSV (the command line's columns). */
export function downloadHistoryCsv(epochs: readonly EpochMetrics[]): void {
  saveFile(HISTORY_FILE_NAME, new Blob([historyCsv(epochs)], { type: 'text/csv' }));
}

/** 0.001 → "1.0e-3": schedules span decades, so the exponent is what a reader compares. */
const formatLearningRate = (rate: number | undefined): string =>
  rate === undefined ? '–' : rate.toExponential(1);

/**
 * The numbers behind the epoch charts, one row per finished epoch (what Keras prints per
 * epoch), with each epoch's learning rate. A resumed run shows its epochs from before the
 * reload too, marked as such; a run that kept its best weights marks that epoch.
 */
export function EpochTable({
  epochs,
  resumedAtEpoch,
  keptEpoch,
}: {
  epochs: EpochMetrics[];
  /** Epochs that came from a checkpoint rather than this visit. */
  resumedAtEpoch?: number;
  /** The 0-based epoch whose weights the model kept (best validation accuracy), if any. */
  keptEpoch?: number;
}) {
  if (epochs.length === 0) return null;
  return (
    <>
      <div className="table-actions">
        <button type="button" className="small-button" onClick={() => downloadHistoryCsv(epochs)}>
          Download history (CSV)
        </button>
      </div>
      <div className="table-scroll">
        <table aria-label="Epoch history" className="epoch-table">
          <thead>
            <tr>
              <th scope="col">Epoch</th>
              <th scope="col">Loss</th>
              <th scope="col">Accuracy</th>
              <th scope="col">Val. loss</th>
              <th scope="col">Val. accuracy</th>
              <th scope="col">Learning rate</th>
              <th scope="col">Training time</th>
            </tr>
          </thead>
          <tbody>
            {epochs.map((e) => (
              <tr key={e.epoch}>
                <td className="num">
                  {e.epoch + 1}
                  {resumedAtEpoch !== undefined && e.epoch < resumedAtEpoch ? ' (checkpoint)' : ''}
                  {e.epoch === keptEpoch ? ' (kept)' : ''}
                </td>
                <td className="num">{formatMetric(e.loss)}</td>
                <td className="num">{formatPercent(e.accuracy)}</td>
                <td className="num">{formatMetric(e.valLoss)}</td>
                <td className="num">{formatPercent(e.valAccuracy)}</td>
                <td className="num">{formatLearningRate(e.learningRate)}</td>
                <td className="num">{formatDuration(e.elapsedMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
