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
/** Room past the ends of an epoch chart's scales, px: dots at the edges are drawn whole. */
const COUNTED_SCALE_PADDING_PX = 8;
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
  /**
   * x counts whole things from 1 (epochs, as Keras' history plots number them): integer ticks,
   * a domain that starts at the first point. Otherwise x is a 0-based index (batches).
   */
  isCounted?: boolean;
}

/**
 * One chart row in tfjs-vis' wide format: x, then per series its y under the series name and
 * the series name under `${name}-name` (the colour field). A series shorter than the others
 * has null there, which vega-lite leaves out of that line.
 */
export type LineChartRow = Record<string, number | string | null>;

/**
 * Rows for `values` (one array of y per series). Point i is at x = `firstX` + i: tfjs-vis'
 * index (firstX 0) for batches, the epoch's number (firstX 1) for epochs.
 */
export function toLineChartRows(series: string[], values: number[][], firstX = 0): LineChartRow[] {
  const count = Math.max(0, ...values.map((v) => v.length));
  const rows: LineChartRow[] = [];
  for (let i = 0; i < count; i++) {
    const row: LineChartRow = { x: firstX + i };
    series.forEach((name, s) => {
      row[name] = values[s][i] ?? null;
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
    layout.isCounted ?? false,
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
      x: {
        field: 'x',
        type: 'quantitative',
        title: xLabel,
        // Epochs 1, 2, 3…: no 0 and no 0.2, 0.4 between them.
        ...(layout.isCounted
          ? {
              // A few pixels beyond the first and last epoch, so their dots are whole.
              scale: { zero: false, nice: false, padding: COUNTED_SCALE_PADDING_PX },
              axis: { tickMinStep: 1, format: 'd' },
            }
          : {}),
      },
      tooltip: [
        { field: 'x', type: 'quantitative' },
        ...series.map((name) => ({ field: name, type: 'quantitative' })),
      ],
    },
    layer: [
      ...series.map((name) => ({
        // Epochs are few: a dot on each, so a one-epoch run shows too.
        mark: { type: 'line', clip: true, ...(layout.isCounted ? { point: true } : {}) },
        encoding: {
          y: {
            field: name,
            type: 'quantitative',
            title: layout.yLabel,
            scale: layout.zoomToFit
              ? { zero: false, ...(layout.isCounted ? { padding: COUNTED_SCALE_PADDING_PX } : {}) }
              : undefined,
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
