import { lazy, Suspense } from 'react';
import { CLASS_NAMES } from '../../config/dataset';
import type { LoadedSplit } from '../../data/ingest-types';
import type { EpochMetrics, EvaluationResult, RunEnd } from '../../training/run-types';
import { ImageCanvas } from '../dataset/image-canvas';
import { formatMetric, formatPercent } from '../format';

const ConfusionMatrixChart = lazy(() =>
  import('../charts/training-charts').then((m) => ({ default: m.ConfusionMatrixChart })),
);

/** Test-set results: accuracy, the seed-style summary, confusion matrix, per-class, mistakes. */
export function EvaluationPanel({
  evaluation,
  lastEpoch,
  end,
  test,
}: {
  evaluation: EvaluationResult;
  lastEpoch?: EpochMetrics;
  end?: RunEnd;
  test?: LoadedSplit;
}) {
  return (
    <section className="panel" aria-label="Evaluation">
      <h2>3 · Results</h2>
      <p className="headline">
        <strong>Test accuracy: {formatPercent(evaluation.accuracy)}</strong>{' '}
        <span className="muted">
          · test loss {formatMetric(evaluation.loss)} on {evaluation.count.toLocaleString('en-US')}{' '}
          images
          {end === 'stopped' ? ' · run stopped early' : ''}
        </span>
      </p>
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
            <td>{formatPercent(evaluation.accuracy)}</td>
          </tr>
        </tbody>
      </table>
      <div className="evaluation-grid">
        <Suspense fallback={<p className="muted">Loading chart…</p>}>
          <ConfusionMatrixChart evaluation={evaluation} />
        </Suspense>
        <table aria-label="Per-class accuracy" className="per-class">
          <thead>
            <tr>
              <th scope="col">Class</th>
              <th scope="col">Accuracy</th>
            </tr>
          </thead>
          <tbody>
            {evaluation.perClassAccuracy.map((accuracy, label) => (
              <tr key={label}>
                <th scope="row">{CLASS_NAMES[label]}</th>
                <td className="num">{formatPercent(accuracy, 1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {test && evaluation.misclassified.length > 0 && (
        <>
          <h3>Test images it got wrong</h3>
          <ul className="image-grid" aria-label="Misclassified test images">
            {evaluation.misclassified.map((m) => {
              const text = `${CLASS_NAMES[m.trueLabel]} taken for ${CLASS_NAMES[m.predictedLabel]} (${formatPercent(m.confidence, 0)})`;
              return (
                <li key={m.index}>
                  <ImageCanvas
                    images={test.images}
                    index={m.index}
                    label={`Test image ${m.index + 1}: ${text}`}
                  />
                  <span className="caption">
                    {CLASS_NAMES[m.trueLabel]} → <em>{CLASS_NAMES[m.predictedLabel]}</em>
                  </span>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}
