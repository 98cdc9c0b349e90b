import { lazy, Suspense } from 'react';
import type { LoadedSplit } from '../../data/ingest-types';
import type { EpochMetrics, EvaluationResult, RunEnd } from '../../training/run-types';
import { formatMetric, formatPercent } from '../format';
import { AccuracySummaryTable, PerClassAccuracyTable } from './accuracy-tables';
import { MisclassifiedImages } from './misclassified-images';

const ConfusionMatrixChart = lazy(() =>
  import('../charts/training-charts').then((m) => ({ default: m.ConfusionMatrixChart })),
);
const PerClassAccuracyChart = lazy(() =>
  import('../charts/training-charts').then((m) => ({ default: m.PerClassAccuracyChart })),
);

/**
 * Test-set results: accuracy (and with flip averaging, when the recipe asked), the seed-style
 * summary, confusion matrix, per-class accuracy, mistakes. `lastEpoch` is the epoch whose
 * weights were evaluated (the kept one when the run kept its best weights).
 */
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
      {evaluation.flipAveraged && (
        <p className="headline-detail">
          With test-time flip averaging (each image and its mirror):{' '}
          <strong>{formatPercent(evaluation.flipAveraged.accuracy)}</strong>{' '}
          <span className="muted">· loss {formatMetric(evaluation.flipAveraged.loss)}</span>
        </p>
      )}
      <AccuracySummaryTable lastEpoch={lastEpoch} testAccuracy={evaluation.accuracy} />
      <div className="evaluation-grid">
        <Suspense fallback={<p className="muted">Loading chart…</p>}>
          <ConfusionMatrixChart evaluation={evaluation} />
        </Suspense>
        <div className="per-class-pair">
          <PerClassAccuracyTable perClassAccuracy={evaluation.perClassAccuracy} />
          <Suspense fallback={<p className="muted">Loading chart…</p>}>
            <PerClassAccuracyChart perClassAccuracy={evaluation.perClassAccuracy} />
          </Suspense>
        </div>
      </div>
      {test && evaluation.misclassified.length > 0 && (
        <MisclassifiedImages misclassified={evaluation.misclassified} testImages={test.images} />
      )}
    </section>
  );
}
