import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it, vi } from 'vitest';
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
} from '../../../src/ui/charts/line-chart-spec';
import { changeRows, warmUpLineCharts } from '../../../src/ui/charts/live-line-chart';
import { batchFrame, epochFrame } from '../../../src/ui/charts/training-chart-frames';
import type { EpochMetrics } from '../../../src/training/run-types';

const LOSS_LAYOUT: LineChartLayout = {
  series: ['training loss'],
  yLabel: 'loss',
  widthPx: 400,
  heightPx: 220,
  zoomToFit: true,
};

/** A headless view of the chart, as the app builds it but without a canvas. */
function createHeadlessView(layout: LineChartLayout, xLabel: string): View {
  const vegaSpec = compile(buildLineChartSpec(layout, xLabel) as TopLevelSpec).spec;
  expect(bindXAxisTitleToSignal(vegaSpec, xLabel)).toBe(true);
  return new View(parse(vegaSpec), { renderer: 'none' });
}

/** The (x, y) pairs the view holds for one series, in x order. */
function heldPoints(view: View, name: string): [number, number][] {
  return (view.data(LINE_CHART_DATA_NAME) as LineChartRow[])
    .map((row) => [row.x as number, row[name] as number] as [number, number])
    .sort((a, b) => a[0] - b[0]);
}

/** A loss-like per-batch series: falling, with noise, deterministic. */
function lossSeries(batches: number): number[] {
  return Array.from({ length: batches }, (_, i) => 2.3 / (1 + i / 50) + 0.05 * Math.sin(i * 7));
}

describe('line chart rows and spec', () => {
  it('lays rows out as tfjs-vis does: x is the index, one field and one name per series', () => {
    const rows = toLineChartRows(
      ['training loss', 'validation loss'],
      [
        [0.9, 0.5],
        [1.0, 0.7],
      ],
    );
    expect(rows).toEqual([
      {
        x: 0,
        'training loss': 0.9,
        'training loss-name': 'training loss',
        'validation loss': 1.0,
        'validation loss-name': 'validation loss',
      },
      {
        x: 1,
        'training loss': 0.5,
        'training loss-name': 'training loss',
        'validation loss': 0.7,
        'validation loss-name': 'validation loss',
      },
    ]);
  });

  it('counts the unchanged leading rows', () => {
    const series = ['training loss'];
    const drawn = toLineChartRows(series, [[3, 2, 1]]);
    expect(countUnchangedRows(drawn, toLineChartRows(series, [[3, 2, 1]]), series)).toBe(3);
    expect(countUnchangedRows(drawn, toLineChartRows(series, [[3, 2, 1, 0.5]]), series)).toBe(3);
    expect(countUnchangedRows(drawn, toLineChartRows(series, [[3, 2, 1.5]]), series)).toBe(2);
    expect(countUnchangedRows(drawn, toLineChartRows(series, [[2.5, 1]]), series)).toBe(0);
    expect(countUnchangedRows([], toLineChartRows(series, [[1]]), series)).toBe(0);
  });

  it('needs a new view only when series, labels or size change', () => {
    const key = lineChartLayoutKey(LOSS_LAYOUT);
    expect(lineChartLayoutKey({ ...LOSS_LAYOUT })).toBe(key);
    expect(lineChartLayoutKey({ ...LOSS_LAYOUT, widthPx: 401 })).not.toBe(key);
    expect(
      lineChartLayoutKey({ ...LOSS_LAYOUT, series: ['training loss', 'validation loss'] }),
    ).not.toBe(key);
  });

  it('compiles with the named data source and the x-axis title bound to a signal', () => {
    const vegaSpec = compile(buildLineChartSpec(LOSS_LAYOUT, 'batch') as TopLevelSpec).spec;
    expect(vegaSpec.data?.map((d) => d.name)).toContain(LINE_CHART_DATA_NAME);
    expect(bindXAxisTitleToSignal(vegaSpec, 'batch')).toBe(true);
    const titles = (vegaSpec.axes ?? []).map((axis) => [axis.scale, axis.title]);
    expect(titles).toContainEqual(['x', { signal: X_TITLE_SIGNAL_NAME }]);
    expect(titles).toContainEqual(['y', 'loss']);
  });
});

describe('streaming points into a live view', () => {
  it('holds exactly the latest downsampled curve after each refresh, bucket growth included', async () => {
    const view = createHeadlessView(LOSS_LAYOUT, 'batch');
    const loss = lossSeries(1000);
    let drawn: LineChartRow[] = [];
    // Refreshes as the app makes them: every few batches, through 1, 2, 3 and 4 per bucket.
    for (const batches of [1, 7, 40, 299, 300, 301, 450, 601, 602, 1000]) {
      const frame = batchFrame(loss.slice(0, batches), 'training loss');
      if (!frame) throw new Error('a non-empty series gives a frame');
      drawn = changeRows(view, drawn, toLineChartRows(frame.series, frame.values), frame.series);
      await view.signal(X_TITLE_SIGNAL_NAME, frame.xLabel).runAsync();

      const expected = frame.values[0].map((y, x) => [x, y]);
      expect(heldPoints(view, 'training loss')).toEqual(expected);
      expect(view.signal(X_TITLE_SIGNAL_NAME)).toBe(frame.xLabel);
    }
    expect(view.signal(X_TITLE_SIGNAL_NAME)).toBe('batch (each point: mean of 4)');
    view.finalize();
  });

  it('replaces the curve of a previous run that was longer', async () => {
    const view = createHeadlessView(LOSS_LAYOUT, 'batch');
    const first = toLineChartRows(['training loss'], [[2, 1.5, 1.2, 1.0]]);
    let drawn = changeRows(view, [], first, ['training loss']);
    await view.runAsync();
    const second = toLineChartRows(['training loss'], [[2.2]]);
    drawn = changeRows(view, drawn, second, ['training loss']);
    await view.runAsync();
    expect(heldPoints(view, 'training loss')).toEqual([[0, 2.2]]);
    expect(drawn).toHaveLength(1);
    view.finalize();
  });

  it('draws both epoch series when the run has a validation split', async () => {
    const epochs: EpochMetrics[] = [0, 1, 2].map((epoch) => ({
      epoch,
      loss: 1 - epoch * 0.2,
      accuracy: 0.6 + epoch * 0.1,
      valLoss: 1.1 - epoch * 0.2,
      valAccuracy: 0.55 + epoch * 0.1,
      elapsedMs: 1000 * (epoch + 1),
    }));
    const frame = epochFrame(epochs, 'accuracy');
    if (!frame) throw new Error('epochs give a frame');
    expect(frame.series).toEqual(['training accuracy', 'validation accuracy']);
    const view = createHeadlessView({ ...LOSS_LAYOUT, series: frame.series }, frame.xLabel);
    changeRows(view, [], toLineChartRows(frame.series, frame.values), frame.series);
    await view.runAsync();
    expect(heldPoints(view, 'validation accuracy').map(([, y]) => y)).toEqual([0.55, 0.65, 0.75]);
    expect(epochFrame([], 'loss')).toBeNull();
    view.finalize();
  });
});

describe('warming vega up', () => {
  it('compiles, parses and runs a chart in three tasks without a page', async () => {
    let yields = 0;
    await warmUpLineCharts(async () => {
      yields++;
    });
    expect(yields).toBe(2);
  });

  it('draws real rows, so vega has nothing to warn about (no "Infinite extent")', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await warmUpLineCharts(async () => undefined);
      expect(warn.mock.calls.map((args) => args.join(' '))).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });
});
