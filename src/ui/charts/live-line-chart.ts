/**
 * A line chart that is compiled once and then streams its points. tfjs-vis' render.linechart
 * recompiles the vega-lite spec, re-parses it and builds a new vega view on every call: one
 * 50–75 ms main-thread task per refresh. Here those three steps run once per chart, each in
 * a task of its own, and every later refresh only sends the changed rows to the live view
 * (a few milliseconds).
 */
import { changeset, type View } from 'vega';
import {
  bindXAxisTitleToSignal,
  buildLineChartSpec,
  countUnchangedRows,
  LINE_CHART_DATA_NAME,
  lineChartLayoutKey,
  toLineChartRows,
  X_TITLE_SIGNAL_NAME,
  type LineChartLayout,
  type LineChartRow,
} from './line-chart-spec';
import { createStagedView, warmUpVega, type YieldToEventLoop } from './staged-view';

/** What one refresh shows. */
export interface LineChartFrame {
  /** Series names, in legend order. */
  series: string[];
  /**
   * y per series; point i is drawn at x = i (as tfjs-vis does), or at i + 1 when `isCounted`.
   * A series may be shorter than the others (runs of different lengths compared).
   */
  values: number[][];
  xLabel: string;
  /** x counts whole things from 1 (epochs): integer ticks, starting at 1. */
  isCounted?: boolean;
}

/** The chart rows of `frame`: x from 0, or from 1 when it counts epochs. */
export function frameRows(frame: LineChartFrame): LineChartRow[] {
  return toLineChartRows(frame.series, frame.values, frame.isCounted ? 1 : 0);
}

export interface LiveLineChartOptions {
  yLabel: string;
  heightPx: number;
  /** Lets the y scale leave out 0. */
  zoomToFit: boolean;
  /** Waits for a new task, so that compile, parse and first render are separate tasks. */
  yieldToEventLoop?: YieldToEventLoop;
}

export interface LiveLineChart {
  /** Shows `frame`: builds the view on first use (or when the layout changed), else streams. */
  update: (frame: LineChartFrame) => Promise<void>;
  /** Releases the view and its event listeners. */
  dispose: () => void;
}

/**
 * Queues on `view` the removal of the rows of `drawn` that `rows` no longer has and the
 * insertion of the new ones; unchanged leading rows stay. Returns the rows the view holds
 * after its next run. Per-batch buckets only grow at the end, so a refresh usually replaces
 * the last row and appends a few; when the bucket size grows, everything is replaced.
 */
export function changeRows(
  view: View,
  drawn: readonly LineChartRow[],
  rows: readonly LineChartRow[],
  series: readonly string[],
): LineChartRow[] {
  const unchanged = countUnchangedRows(drawn, rows, series);
  view.change(
    LINE_CHART_DATA_NAME,
    changeset().remove(drawn.slice(unchanged)).insert(rows.slice(unchanged)),
  );
  return [...drawn.slice(0, unchanged), ...rows.slice(unchanged)];
}

/** tfjs-vis' width rule: the box's width, or its nearest sized ancestor's less 50 px. */
function measureWidthPx(element: HTMLElement): number {
  const ANCESTOR_PADDING_PX = 50;
  let current: HTMLElement | null = element;
  let padding = 0;
  while (current && current.clientWidth === 0) {
    current = current.parentElement;
    padding = ANCESTOR_PADDING_PX;
  }
  return current ? current.clientWidth - padding : 0;
}

export function createLiveLineChart(
  element: HTMLElement,
  options: LiveLineChartOptions,
): LiveLineChart {
  let view: View | null = null;
  let layoutKey = '';
  let series: string[] = [];
  /** The row objects the view holds; vega tags them, so removal goes by these references. */
  let drawnRows: LineChartRow[] = [];
  let drawnXLabel = '';
  let isDisposed = false;

  return {
    async update(frame) {
      if (isDisposed) return;
      const layout: LineChartLayout = {
        series: frame.series,
        yLabel: options.yLabel,
        widthPx: measureWidthPx(element),
        heightPx: options.heightPx,
        zoomToFit: options.zoomToFit,
        isCounted: frame.isCounted,
      };
      const key = lineChartLayoutKey(layout);
      const rows = frameRows(frame);
      const isNewView = !view || key !== layoutKey;
      if (!view || isNewView) {
        const created = await createStagedView(element, buildLineChartSpec(layout, frame.xLabel), {
          patch: (vegaSpec) => {
            if (!bindXAxisTitleToSignal(vegaSpec, frame.xLabel)) {
              console.warn('Line chart: no x-axis title found; it will not follow the bucket size');
            }
          },
          isCancelled: () => isDisposed,
          beforeAttach: () => view?.finalize(),
          yieldToEventLoop: options.yieldToEventLoop,
        });
        if (!created) return;
        view = created;
        layoutKey = key;
        series = frame.series;
        drawnRows = [];
      }
      const isSame =
        drawnXLabel === frame.xLabel &&
        drawnRows.length === rows.length &&
        countUnchangedRows(drawnRows, rows, series) === rows.length;
      if (isSame && !isNewView) return;
      drawnRows = changeRows(view, drawnRows, rows, series);
      drawnXLabel = frame.xLabel;
      await view.signal(X_TITLE_SIGNAL_NAME, frame.xLabel).runAsync();
    },
    dispose() {
      isDisposed = true;
      view?.finalize();
      view = null;
    },
  };
}

/**
 * Warms vega-lite and vega up with a small line chart, off screen and in small tasks; call it
 * while the page is idle, before training starts (see warmUpVega).
 */
export function warmUpLineCharts(yieldToEventLoop?: YieldToEventLoop): Promise<void> {
  const layout: LineChartLayout = {
    series: ['warm-up'],
    yLabel: 'y',
    widthPx: 200,
    heightPx: 100,
    zoomToFit: true,
  };
  const rows = toLineChartRows(layout.series, [[0.5, 0.25, 0.125]]);
  return warmUpVega(
    buildLineChartSpec(layout, 'x'),
    { name: LINE_CHART_DATA_NAME, rows },
    yieldToEventLoop,
  );
}
