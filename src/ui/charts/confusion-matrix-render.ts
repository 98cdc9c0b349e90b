/**
 * The one call that draws a confusion matrix, shared by the results panel and the command
 * line's confusion.png: the matrix tfjs-vis' `render.confusionMatrix` draws, with the app's
 * labels and size, built by the app's own CSP-safe vega view (confusion-matrix-view.ts).
 */
import type { View } from 'vega';
import { CLASS_NAMES } from '../../config/dataset';
import type { EvaluationResult } from '../../training/run-types';
import { drawConfusionMatrix } from './confusion-matrix-view';

export { CONFUSION_HEIGHT_PX, CONFUSION_WIDTH_PX } from './confusion-matrix-spec';

/**
 * Draws `evaluation.confusion` (rows: true class, columns: predicted) into `box`; resolves
 * with the view once drawn (null when `isCancelled` stopped it first).
 */
export function renderConfusionMatrix(
  box: HTMLElement,
  evaluation: EvaluationResult,
  isCancelled?: () => boolean,
): Promise<View | null> {
  return drawConfusionMatrix(box, evaluation.confusion, CLASS_NAMES, isCancelled);
}
