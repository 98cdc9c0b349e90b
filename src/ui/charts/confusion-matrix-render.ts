/**
 * The one call that draws a confusion matrix, shared by the results panel and the command
 * line's confusion.png: tfjs-vis' `render.confusionMatrix` with the app's labels and size.
 */
import * as tfvis from '@tensorflow/tfjs-vis';
import { CLASS_NAMES } from '../../config/dataset';
import type { EvaluationResult } from '../../training/run-types';

export const CONFUSION_WIDTH_PX = 480;
export const CONFUSION_HEIGHT_PX = 420;

/** Draws `evaluation.confusion` (rows: true class, columns: predicted) into `box`. */
export function renderConfusionMatrix(box: HTMLElement, evaluation: EvaluationResult) {
  return tfvis.render.confusionMatrix(
    box,
    { values: evaluation.confusion, tickLabels: [...CLASS_NAMES] },
    { shadeDiagonal: false, width: CONFUSION_WIDTH_PX, height: CONFUSION_HEIGHT_PX },
  );
}
