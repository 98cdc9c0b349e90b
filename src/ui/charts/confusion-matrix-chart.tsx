/**
 * The test-set confusion matrix, drawn by tfjs-vis (the one door to it) once per evaluation,
 * after training: React owns the box, `render.confusionMatrix` draws inside it. Unlike the live
 * curves it is drawn once, so tfjs-vis' build-a-new-view-per-call cost (tens of ms) is paid
 * once, in the results phase, and in a task of its own after the panel's commit.
 */
import * as tfvis from '@tensorflow/tfjs-vis';
import { useEffect, useRef } from 'react';
import { CLASS_NAMES } from '../../config/dataset';
import type { EvaluationResult } from '../../training/run-types';
import { nextTask } from './staged-view';

const CONFUSION_WIDTH_PX = 480;
const CONFUSION_HEIGHT_PX = 420;

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
      await tfvis.render.confusionMatrix(
        box,
        { values: evaluation.confusion, tickLabels: [...CLASS_NAMES] },
        { shadeDiagonal: false, width: CONFUSION_WIDTH_PX, height: CONFUSION_HEIGHT_PX },
      );
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
