/**
 * The test-set confusion matrix, drawn by tfjs-vis (the one door to it) once per evaluation,
 * after training: React owns the box, `render.confusionMatrix` draws inside it. Unlike the live
 * curves it is drawn once, so tfjs-vis' build-a-new-view-per-call cost (tens of ms) is paid
 * once, in the results phase, and in a task of its own after the panel's commit.
 */
import { useEffect, useRef } from 'react';
import type { EvaluationResult } from '../../training/run-types';
import { renderConfusionMatrix } from './confusion-matrix-render';
import { nextTask } from './staged-view';

export function ConfusionMatrixChart({ evaluation }: { evaluation: EvaluationResult }) {
  const boxRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const box = boxRef.current;
    if (!box) return;
    let isCancelled = false;
    const draw = async () => {
      // Leave the first task to the React commit that mounted the panel.
      await nextTask();
      if (isCancelled) return;
      await renderConfusionMatrix(box, evaluation);
    };
    draw().catch((error: unknown) => console.warn('Confusion matrix failed to draw', error));
    return () => {
      isCancelled = true;
    };
  }, [evaluation]);

  // tfjs-vis owns the inner box's children; React owns the figure around it.
  return (
    <div
      className="chart"
      role="figure"
      aria-label="Confusion matrix (rows: true class, columns: predicted class)"
    >
      <div ref={boxRef} />
    </div>
  );
}
