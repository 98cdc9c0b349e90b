/**
 * The test-set confusion matrix, drawn once per evaluation, after training: React owns the
 * box, a vega view built from tfjs-vis' confusion-matrix spec draws inside it. Unlike the live
 * curves it is drawn once, so building its view (tens of ms) is paid once, in the results
 * phase, in tasks of their own after the panel's commit.
 */
import { useEffect, useRef } from 'react';
import type { View } from 'vega';
import type { EvaluationResult } from '../../training/run-types';
import { renderConfusionMatrix } from './confusion-matrix-render';
import { nextTask } from './staged-view';

export function ConfusionMatrixChart({ evaluation }: { evaluation: EvaluationResult }) {
  const boxRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const box = boxRef.current;
    if (!box) return;
    let isCancelled = false;
    let view: View | null = null;
    const draw = async () => {
      // Leave the first task to the React commit that mounted the panel.
      await nextTask();
      if (isCancelled) return;
      view = await renderConfusionMatrix(box, evaluation, () => isCancelled);
      if (isCancelled) view?.finalize();
    };
    draw().catch((error: unknown) => console.warn('Confusion matrix failed to draw', error));
    return () => {
      isCancelled = true;
      // Releases the view's event listeners and timers; the next view clears the box.
      view?.finalize();
    };
  }, [evaluation]);

  // vega owns the inner box's children; React owns the figure around it.
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
