/**
 * Draws the confusion matrix with the app's staged vega view (expressions interpreted, no
 * `new Function`, so it runs under the page's Content-Security-Policy).
 */
import type { View } from 'vega';
import { buildConfusionMatrixSpec, toConfusionCells } from './confusion-matrix-spec';
import { createStagedView } from './staged-view';

/**
 * Draws `confusion` (rows: true class, columns: predicted class, in `classNames` order) into
 * `box` and resolves once it is on screen, with the view (finalize it when the box goes), or
 * null when `isCancelled` said stop first.
 */
export async function drawConfusionMatrix(
  box: HTMLElement,
  confusion: readonly (readonly number[])[],
  classNames: readonly string[],
  isCancelled?: () => boolean,
): Promise<View | null> {
  const spec = buildConfusionMatrixSpec(toConfusionCells(confusion, classNames), classNames);
  const view = await createStagedView(box, spec, { isCancelled });
  if (!view) return null;
  await view.runAsync();
  return view;
}
