/**
 * The per-class test accuracy as horizontal bars, one per class in label order, beside the
 * table of the same numbers. Plain data, free of vega, so it can be tested in Node.
 */

const BAR_CHART_WIDTH_PX = 260;
/** Height of one class's row, px: ten rows fit beside the per-class table. */
const BAR_ROW_HEIGHT_PX = 24;
const BAR_FONT_SIZE_PX = 12;
/** The confusion matrix's blue, so the results read as one set. */
const BAR_COLOR = '#4292c6';

/** One bar: the class and its accuracy in [0, 1] (null for a class absent from the test set). */
export interface ClassAccuracyRow {
  class: string;
  accuracy: number | null;
}

export function toClassAccuracyRows(
  perClassAccuracy: readonly number[],
  classNames: readonly string[],
): ClassAccuracyRow[] {
  return classNames.map((name, label) => {
    const accuracy = perClassAccuracy[label];
    return { class: name, accuracy: Number.isFinite(accuracy) ? accuracy : null };
  });
}

export function buildPerClassAccuracySpec(rows: readonly ClassAccuracyRow[]): object {
  const font = { labelFontSize: BAR_FONT_SIZE_PX, titleFontSize: BAR_FONT_SIZE_PX };
  return {
    width: BAR_CHART_WIDTH_PX,
    height: BAR_ROW_HEIGHT_PX * rows.length,
    padding: 0,
    autosize: { type: 'fit', contains: 'padding', resize: true },
    config: { axis: font },
    data: { values: rows.map((row) => ({ ...row })) },
    mark: { type: 'bar', color: BAR_COLOR },
    encoding: {
      // Every class in the table's order, a class without test images too (it has no bar).
      y: {
        field: 'class',
        type: 'nominal',
        sort: null,
        title: null,
        scale: { domain: rows.map((row) => row.class) },
      },
      x: {
        field: 'accuracy',
        type: 'quantitative',
        title: 'test accuracy',
        scale: { domain: [0, 1] },
        axis: { format: '%' },
      },
      tooltip: [
        { field: 'class', type: 'nominal' },
        { field: 'accuracy', type: 'quantitative', format: '.1%' },
      ],
    },
  };
}

/** The bars in a sentence: the best and the worst class. */
export function summarizeClassAccuracy(rows: readonly ClassAccuracyRow[]): string {
  const known = rows.filter(
    (row): row is { class: string; accuracy: number } => row.accuracy !== null,
  );
  if (known.length === 0) return 'No class of the test set was evaluated.';
  const sorted = [...known].sort((a, b) => b.accuracy - a.accuracy);
  const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
  const best = sorted[0];
  const worst = sorted[sorted.length - 1];
  return (
    `Best recognised: ${best.class} (${percent(best.accuracy)}); ` +
    `hardest: ${worst.class} (${percent(worst.accuracy)}). The numbers are in the table beside it.`
  );
}
