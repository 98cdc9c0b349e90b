/**
 * The charts as people take them away and as screen readers hear them: SVG images drawn by the
 * app's own specs with the same interpreter as the page (titles, white background, epochs
 * counted 1, 2, 3 in whole numbers), and the one-sentence summaries under each chart. PNG
 * needs a canvas, so the browser tests download that one.
 */
import { describe, expect, test } from 'vitest';
import { CLASS_NAMES } from '../../../src/config/dataset';
import type { EpochMetrics } from '../../../src/training/run-types';
import { drawChartSvg } from '../../../src/ui/charts/chart-export';
import {
  buildConfusionMatrixSpec,
  summarizeConfusion,
  toConfusionCells,
} from '../../../src/ui/charts/confusion-matrix-spec';
import { lineChartImageSource } from '../../../src/ui/charts/line-chart-image';
import {
  buildPerClassAccuracySpec,
  summarizeClassAccuracy,
  toClassAccuracyRows,
} from '../../../src/ui/charts/per-class-accuracy-spec';
import {
  batchFrame,
  comparisonFrame,
  epochFrame,
  summarizeFrame,
} from '../../../src/ui/charts/training-chart-frames';

const epochs = (count: number): EpochMetrics[] =>
  Array.from({ length: count }, (_, epoch) => ({
    epoch,
    loss: 0.9 / (epoch + 1),
    accuracy: 0.7 + 0.02 * epoch,
    valLoss: 1 / (epoch + 1),
    valAccuracy: 0.68 + 0.02 * epoch,
    elapsedMs: 1000 * (epoch + 1),
  }));

/** The text elements of an SVG, in document order. */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

/** The tick labels of the x axis: the first label group after the axis' aria-label. */
function xTickLabels(svg: string): string[] {
  const xAxis = svg.split('aria-label="X-axis')[1] ?? '';
  return texts(xAxis.split('role-axis-label')[1]?.split('</g>')[0] ?? '');
}

describe('epoch charts count epochs from 1 in whole numbers', () => {
  test.each([1, 2, 3, 7])('%i epochs: ticks 1 … n, titled epoch', async (count) => {
    const frame = epochFrame(epochs(count), 'loss')!;
    expect(frame.xLabel).toBe('epoch');
    const svg = await drawChartSvg(lineChartImageSource(frame, 'loss', 'model loss'));
    const labels = xTickLabels(svg);
    expect(labels).toEqual(Array.from({ length: count }, (_, i) => String(i + 1)));
    expect(texts(svg)).toContain('epoch');
  });

  test('a dot on every epoch, so a one-epoch run is not an empty chart', async () => {
    const svg = await drawChartSvg(
      lineChartImageSource(epochFrame(epochs(1), 'loss')!, 'loss', 'model loss'),
    );
    // One dot per series (training and validation).
    expect(svg.match(/aria-roledescription="point"/g)).toHaveLength(2);
  });

  test('thirty epochs: whole-number ticks only, none at 0', async () => {
    const frame = epochFrame(epochs(30), 'accuracy')!;
    const labels = xTickLabels(
      await drawChartSvg(lineChartImageSource(frame, 'accuracy', 'model accuracy')),
    );
    expect(labels.length).toBeGreaterThan(2);
    for (const label of labels) expect(label).toMatch(/^[1-9]\d*$/);
  });

  test('per-batch charts keep counting batches from 0', () => {
    const frame = batchFrame([2.3, 2.1], 'training loss')!;
    expect(frame.xLabel).toBe('batch');
    expect(frame.isCounted).toBeUndefined();
  });
});

describe('images to take away', () => {
  test('the loss curves: titled like the seed’s figure, on white, with both series', async () => {
    const frame = epochFrame(epochs(3), 'loss')!;
    const svg = await drawChartSvg(lineChartImageSource(frame, 'loss', 'model loss'));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(texts(svg)).toEqual(
      expect.arrayContaining(['model loss', 'loss', 'training loss', 'validation loss']),
    );
    // The background rect vega draws for `background: 'white'`.
    expect(svg).toMatch(/<rect[^>]*fill="white"/);
  });

  test('the confusion matrix and per-class accuracy draw from their own specs', async () => {
    const confusion = CLASS_NAMES.map((_, t) => CLASS_NAMES.map((__, p) => (t === p ? 90 : 1)));
    const matrix = await drawChartSvg({
      spec: buildConfusionMatrixSpec(toConfusionCells(confusion, CLASS_NAMES), CLASS_NAMES),
      title: 'confusion matrix (test set)',
    });
    expect(texts(matrix)).toEqual(
      expect.arrayContaining(['confusion matrix (test set)', 'Ankle boot', '90']),
    );
    const rows = toClassAccuracyRows(
      [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, NaN],
      CLASS_NAMES,
    );
    const bars = await drawChartSvg({
      spec: buildPerClassAccuracySpec(rows),
      title: 'test accuracy per class',
    });
    expect(texts(bars)).toEqual(
      expect.arrayContaining(['test accuracy per class', 'T-shirt/top', 'Ankle boot', '100%']),
    );
    // Nine bars: the class absent from the test set has none.
    expect(bars.match(/aria-roledescription="bar"/g)).toHaveLength(9);
  });
});

describe('text alternatives', () => {
  test('a line chart in a sentence: first → last, best and where', () => {
    const frame = epochFrame(epochs(3), 'accuracy')!;
    expect(summarizeFrame(frame, 'accuracy')).toBe(
      '3 epochs: training accuracy 70.00% → 74.00%, highest 74.00% at epoch 3; ' +
        'validation accuracy 68.00% → 72.00%, highest 72.00% at epoch 3.',
    );
    const batches = batchFrame([2.3, 1.9, 2.0], 'training loss')!;
    expect(summarizeFrame(batches, 'loss')).toBe(
      '3 points (batch): training loss 2.3000 → 2.0000, lowest 1.9000.',
    );
  });

  test('the comparison: a line per run, shorter runs end early', () => {
    const frame = comparisonFrame([
      { name: 'run 1: 6 · Seed CNN', history: epochs(3) },
      { name: 'run 2: 1 · Conv64 → Pool4 v1.2', history: epochs(1) },
    ])!;
    expect(frame.series).toEqual(['run 1: 6 · Seed CNN', 'run 2: 1 · Conv64 → Pool4 v1 2']);
    expect(summarizeFrame(frame, 'validation accuracy')).toBe(
      '3 epochs: run 1: 6 · Seed CNN 68.00% → 72.00%, highest 72.00% at epoch 3; ' +
        'run 2: 1 · Conv64 → Pool4 v1 2 68.00% → 68.00%, highest 68.00% at epoch 1.',
    );
  });

  test('the confusion matrix names its commonest mistakes; the bars their extremes', () => {
    const confusion: number[][] = CLASS_NAMES.map((_, t) =>
      CLASS_NAMES.map((__, p) => (t === p ? 90 : 0)),
    );
    confusion[6][0] = 12;
    confusion[4][2] = 7;
    expect(summarizeConfusion(confusion, CLASS_NAMES)).toBe(
      '900 of 919 test images on the diagonal (right). Commonest mistakes: ' +
        'Shirt taken for T-shirt/top 12 times; Coat taken for Pullover 7 times.',
    );
    const rows = toClassAccuracyRows(
      [0.9, 0.99, 0.8, 0.85, 0.8, 0.97, 0.62, 0.95, 0.98, 0.96],
      CLASS_NAMES,
    );
    expect(summarizeClassAccuracy(rows)).toBe(
      'Best recognised: Trouser (99.0%); hardest: Shirt (62.0%). The numbers are in the table beside it.',
    );
  });
});
