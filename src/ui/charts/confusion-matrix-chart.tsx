/**
 * The test-set confusion matrix, drawn once per evaluation from tfjs-vis' confusion-matrix spec,
 * with its text alternative: a summary of the commonest mistakes and the matrix as a table.
 */
import { useMemo } from 'react';
import { CLASS_NAMES } from '../../config/dataset';
import type { EvaluationResult } from '../../training/run-types';
import {
  buildConfusionMatrixSpec,
  summarizeConfusion,
  toConfusionCells,
} from './confusion-matrix-spec';
import { CONFUSION_IMAGE_TITLE } from './chart-titles';
import { StaticChart } from './static-chart';

export function ConfusionMatrixChart({ evaluation }: { evaluation: EvaluationResult }) {
  const spec = useMemo(
    () =>
      buildConfusionMatrixSpec(toConfusionCells(evaluation.confusion, CLASS_NAMES), CLASS_NAMES),
    [evaluation],
  );
  return (
    <StaticChart
      spec={spec}
      label="Confusion matrix (rows: true class, columns: predicted class)"
      summary={summarizeConfusion(evaluation.confusion, CLASS_NAMES)}
      image={{ title: CONFUSION_IMAGE_TITLE, fileStem: 'confusion' }}
      className="chart--matrix"
    >
      <ConfusionTable confusion={evaluation.confusion} />
    </StaticChart>
  );
}

/** The counts as a table, folded away: the matrix for screen readers and for copying. */
function ConfusionTable({ confusion }: { confusion: number[][] }) {
  return (
    <details className="chart-table">
      <summary>The matrix as a table</summary>
      <div className="table-scroll">
        <table aria-label="Confusion matrix counts">
          <thead>
            <tr>
              <th scope="col">True class \ predicted</th>
              {CLASS_NAMES.map((name) => (
                <th key={name} scope="col">
                  {name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {confusion.map((row, label) => (
              <tr key={CLASS_NAMES[label]}>
                <th scope="row">{CLASS_NAMES[label]}</th>
                {row.map((count, predicted) => (
                  <td key={CLASS_NAMES[predicted]} className="num">
                    {count.toLocaleString('en-US')}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
