import { formatCount, formatDuration, formatPercent } from '../format';
import type { RunRecord } from './training-state';
import { optimizerLabel } from '../../training/training-params';
import { summarizeRecipe } from './recipe-summary';
import { ExportProjectButton } from '../export/export-project-button';

/** This tab's runs, in the columns of the seed project's experiment table. */
export function RunsTable({ runs }: { runs: RunRecord[] }) {
  if (runs.length === 0) return null;
  return (
    <section className="panel">
      <h2>Runs in this tab</h2>
      <div className="table-scroll">
        <table aria-label="Runs">
          <thead>
            <tr>
              <th scope="col">Architecture</th>
              <th scope="col">Parameters</th>
              <th scope="col">Epochs</th>
              <th scope="col">Batch size</th>
              <th scope="col">Learning rate</th>
              <th scope="col">Optimizer</th>
              <th scope="col">Recipe</th>
              <th scope="col">Train acc.</th>
              <th scope="col">Val. acc.</th>
              <th scope="col">Test acc.</th>
              <th scope="col">Wall time</th>
              <th scope="col">Backend</th>
              <th scope="col">Elsewhere</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id}>
                <td>{r.architectureLabel}</td>
                <td className="num">{formatCount(r.parameterCount)}</td>
                <td className="num">
                  {r.epochsDone}
                  {r.end === 'stopped' ? ` of ${r.trainingParams.epochs} (stopped)` : ''}
                </td>
                <td className="num">{r.trainingParams.batchSize}</td>
                <td className="num">{r.trainingParams.learningRate}</td>
                <td>{optimizerLabel(r.trainingParams.optimizer)}</td>
                <td>{summarizeRecipe(r.trainingParams)}</td>
                <td className="num">{formatPercent(r.trainAccuracy)}</td>
                <td className="num">{formatPercent(r.valAccuracy)}</td>
                <td className="num">
                  {formatPercent(r.testAccuracy)}
                  {r.testAccuracyFlipAveraged !== undefined &&
                    ` (${formatPercent(r.testAccuracyFlipAveraged)} with flip averaging)`}
                </td>
                <td className="num">{formatDuration(r.wallTimeMs)}</td>
                <td>{r.backend}</td>
                <td>
                  <ExportProjectButton
                    params={r.trainingParams}
                    stem={`${r.trainingParams.architectureId}-run-${r.id}`}
                    label={`Export run ${r.id} as a training project`}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
