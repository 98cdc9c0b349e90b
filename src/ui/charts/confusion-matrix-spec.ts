/**
 * The confusion matrix's vega-lite spec: the one tfjs-vis' `render.confusionMatrix` builds with
 * the app's options (class names as tick labels, the diagonal left white so the eye goes to the
 * mistakes, counts written in every cell), kept free of vega so it can be tested in Node. The
 * view is built by the app's own staged-view code, which runs under the page's
 * Content-Security-Policy, instead of tfjs-vis' vega-embed, which compiles expressions with
 * `new Function`.
 */

export const CONFUSION_WIDTH_PX = 480;
export const CONFUSION_HEIGHT_PX = 420;
/** tfjs-vis' confusion-matrix defaults: font size and the white-to-blue colour range. */
const CONFUSION_FONT_SIZE_PX = 12;
const CONFUSION_COLOR_RANGE = ['#f7fbff', '#4292c6'];

/** One cell: true class (`label`), predicted class, count; diagonal cells are not shaded. */
export interface ConfusionCell {
  label: string;
  prediction: string;
  count: number;
  /** The count again for the colour scale; absent on the unshaded diagonal. */
  scaleCount?: number;
  noFill?: true;
}

/**
 * Cells of `confusion` (rows: true class, columns: predicted class, both in `classNames`
 * order). The diagonal is left unshaded unless every other cell is 0, in which case it is
 * shaded after all (else the colour scale would have nothing to span), as tfjs-vis does.
 */
export function toConfusionCells(
  confusion: readonly (readonly number[])[],
  classNames: readonly string[],
): ConfusionCell[] {
  const cells: ConfusionCell[] = [];
  let hasOffDiagonalCount = false;
  confusion.forEach((row, i) =>
    row.forEach((count, j) => {
      const cell = { label: classNames[i], prediction: classNames[j], count };
      if (i === j) cells.push({ ...cell, noFill: true });
      else {
        cells.push({ ...cell, scaleCount: count });
        if (count !== 0) hasOffDiagonalCount = true;
      }
    }),
  );
  if (hasOffDiagonalCount) return cells;
  return cells.map(({ label, prediction, count }) => ({
    label,
    prediction,
    count,
    scaleCount: count,
  }));
}

const TOOLTIP = [
  { field: 'label', type: 'nominal' },
  { field: 'prediction', type: 'nominal' },
  { field: 'count', type: 'quantitative' },
];

/** The vega-lite spec of the matrix of `cells`, axes in `classNames` order. */
export function buildConfusionMatrixSpec(
  cells: readonly ConfusionCell[],
  classNames: readonly string[],
): object {
  const font = { labelFontSize: CONFUSION_FONT_SIZE_PX, titleFontSize: CONFUSION_FONT_SIZE_PX };
  const domain = [...classNames];
  return {
    width: CONFUSION_WIDTH_PX,
    height: CONFUSION_HEIGHT_PX,
    padding: 0,
    autosize: { type: 'fit', contains: 'padding', resize: true },
    config: { axis: font, legend: font, text: { fontSize: CONFUSION_FONT_SIZE_PX } },
    data: { values: cells.map((cell) => ({ ...cell })) },
    encoding: {
      x: { field: 'prediction', type: 'ordinal', title: 'prediction', scale: { domain } },
      y: { field: 'label', type: 'ordinal', title: 'label', scale: { domain } },
    },
    layer: [
      {
        transform: [{ filter: 'datum.noFill != true' }],
        mark: { type: 'rect' },
        encoding: {
          color: {
            field: 'scaleCount',
            type: 'quantitative',
            scale: { range: CONFUSION_COLOR_RANGE },
            // tfjs-vis leaves the legend titled with the field's name; a person reads a count.
            title: 'images',
          },
          tooltip: TOOLTIP,
        },
      },
      {
        transform: [{ filter: 'datum.noFill == true' }],
        mark: { type: 'rect', fill: 'white' },
        encoding: { tooltip: TOOLTIP },
      },
      {
        mark: { type: 'text', baseline: 'middle' },
        encoding: { text: { field: 'count', type: 'nominal' } },
      },
    ],
  };
}

/** How many of the most frequent mistakes the matrix's summary names. */
const SUMMARY_MISTAKES = 3;

/**
 * The matrix in a sentence, its text alternative: how many were right, and the commonest
 * mistakes ("Shirt taken for T-shirt/top 112 times").
 */
export function summarizeConfusion(
  confusion: readonly (readonly number[])[],
  classNames: readonly string[],
): string {
  let total = 0;
  let correct = 0;
  const mistakes: { label: string; prediction: string; count: number }[] = [];
  confusion.forEach((row, i) =>
    row.forEach((count, j) => {
      total += count;
      if (i === j) correct += count;
      else if (count > 0) mistakes.push({ label: classNames[i], prediction: classNames[j], count });
    }),
  );
  const top = mistakes.sort((a, b) => b.count - a.count).slice(0, SUMMARY_MISTAKES);
  const right = `${correct.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} test images on the diagonal (right)`;
  if (top.length === 0) return `${right}; no mistakes.`;
  const listed = top
    .map((m) => `${m.label} taken for ${m.prediction} ${m.count.toLocaleString('en-US')} times`)
    .join('; ');
  return `${right}. Commonest mistakes: ${listed}.`;
}
