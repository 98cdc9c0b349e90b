/** Per-class test accuracy as bars, beside the table of the same numbers. */
import { useMemo } from 'react';
import { CLASS_NAMES } from '../../config/dataset';
import type { EvaluationResult } from '../../training/run-types';
import {
  buildPerClassAccuracySpec,
  summarizeClassAccuracy,
  toClassAccuracyRows,
} from './per-class-accuracy-spec';
import { StaticChart } from './static-chart';

export function PerClassAccuracyChart({
  perClassAccuracy,
}: {
  perClassAccuracy: EvaluationResult['perClassAccuracy'];
}) {
  const rows = useMemo(
    () => toClassAccuracyRows(perClassAccuracy, CLASS_NAMES),
    [perClassAccuracy],
  );
  const spec = useMemo(() => buildPerClassAccuracySpec(rows), [rows]);
  return (
    <StaticChart
      spec={spec}
      label="Per-class accuracy chart"
      summary={summarizeClassAccuracy(rows)}
      image={{ title: 'test accuracy per class', fileStem: 'per-class-accuracy' }}
      className="chart--bars"
    />
  );
}
