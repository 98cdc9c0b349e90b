/**
 * The live line charts' spec and data, kept free of vega so they can be tested in Node. The
 * spec is the one tfjs-vis' render.linechart builds (same layers, encodings, fonts and
 * tooltip rule), except that its data is a named source the view streams rows into instead of
 * inline values, so the chart is compiled once and not on every redraw.
 */

/** Name of the vega data source that holds the rows; `view.change` streams into it. */
export const LINE_CHART_DATA_NAME = 'points';
/** Name of the vega signal that holds the x-axis title, which changes with the bucket size. */
export const X_TITLE_SIGNAL_NAME = 'xAxisTitle';
/** tfjs-vis' default font size for axes, legends and text. */
const CHART_FONT_SIZE_PX = 11;

/** What stays fixed for a view's lifetime; a change of any of it needs a new view. */
export interface LineChartLayout {
  /** Series names, in legend order; each becomes a row field. */
  series: string[];
  yLabel: string;
  widthPx: number;
  heightPx: number;
  /** Lets the y scale leave out 0, as tfjs-vis' zoomToFit does. */
  zoomToFit: boolean;
}

/**
 * One chart row in tfjs-vis' wide format: x, then per series its y under the series name and
 * the series name under `${name}-name` (the colour field).
 */
export type LineChartRow = Record<string, number | string>;

/**
 * Rows for `values` (one array of y per series, all the same length). x is the point's index,
 * as in tfjs-vis, which ignores the x it is given.
 */
export function toLineChartRows(series: string[], values: number[][]): LineChartRow[] {
  const count = values[0]?.length ?? 0;
  const rows: LineChartRow[] = [];
  for (let x = 0; x < count; x++) {
    const row: LineChartRow = { x };
    series.forEach((name, s) => {
      row[name] = values[s][x];
      row[`${name}-name`] = name;
    });
    rows.push(row);
  }
  return rows;
}

/** How many leading rows of `drawn` are equal to those of `next`, so only the rest change. */
export function countUnchangedRows(
  drawn: readonly LineChartRow[],
  next: readonly LineChartRow[],
  series: readonly string[],
): number {
  const limit = Math.min(drawn.length, next.length);
  for (let i = 0; i < limit; i++) {
    if (drawn[i].x !== next[i].x) return i;
    for (const name of series) {
      if (!Object.is(drawn[i][name], next[i][name])) return i;
    }
  }
  return limit;
}

/** A key that differs exactly when two layouts need different views. */
export function lineChartLayoutKey(layout: LineChartLayout): string {
  return JSON.stringify([
    layout.series,
    layout.yLabel,
    layout.widthPx,
    layout.heightPx,
    layout.zoomToFit,
  ]);
}

/** The vega-lite spec tfjs-vis 1.5.1's render.linechart builds, with a named data source. */
export function buildLineChartSpec(layout: LineChartLayout, xLabel: string) {
  const { series } = layout;
  return {
    width: layout.widthPx,
    height: layout.heightPx,
    padding: 0,
    autosize: { type: 'fit', contains: 'padding', resize: true },
    config: {
      axis: { labelFontSize: CHART_FONT_SIZE_PX, titleFontSize: CHART_FONT_SIZE_PX },
      text: { fontSize: CHART_FONT_SIZE_PX },
      legend: { labelFontSize: CHART_FONT_SIZE_PX, titleFontSize: CHART_FONT_SIZE_PX },
    },
    data: { name: LINE_CHART_DATA_NAME },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xLabel },
      tooltip: [
        { field: 'x', type: 'quantitative' },
        ...series.map((name) => ({ field: name, type: 'quantitative' })),
      ],
    },
    layer: [
      ...series.map((name) => ({
        mark: { type: 'line', clip: true },
        encoding: {
          y: {
            field: name,
            type: 'quantitative',
            title: layout.yLabel,
            scale: layout.zoomToFit ? { zero: false } : undefined,
          },
          color: {
            field: `${name}-name`,
            type: 'nominal',
            legend: { values: series, title: null },
          },
        },
      })),
      {
        mark: 'rule',
        selection: {
          hover: { type: 'single', on: 'mouseover', nearest: true, clear: 'mouseout' },
        },
        encoding: {
          color: {
            value: 'grey',
            condition: { selection: { not: 'hover' }, value: 'transparent' },
          },
        },
      },
    ],
  };
}

interface VegaAxis {
  scale?: string;
  title?: unknown;
}
interface VegaSpecWithAxes {
  signals?: unknown[];
  axes?: VegaAxis[];
}

/**
 * Makes the compiled vega spec's x-axis title a signal, so a new bucket size relabels the
 * axis without compiling again. Returns whether an x-axis title was found.
 */
export function bindXAxisTitleToSignal(vegaSpec: VegaSpecWithAxes, xLabel: string): boolean {
  const titled = (vegaSpec.axes ?? []).filter((axis) => axis.scale === 'x' && axis.title != null);
  for (const axis of titled) axis.title = { signal: X_TITLE_SIGNAL_NAME };
  vegaSpec.signals = [...(vegaSpec.signals ?? []), { name: X_TITLE_SIGNAL_NAME, value: xLabel }];
  return titled.length > 0;
}
