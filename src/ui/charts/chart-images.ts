/**
 * A finished run's charts as PNG images (the command line's loss.png, accuracy.png and
 * confusion.png), drawn by the tab's own chart code: the live line chart with the epoch
 * curves of the `Loss per epoch` and `Accuracy per epoch` figures, and the results panel's
 * confusion matrix. Each draws into a box of the page; its canvas is then copied onto white,
 * since the charts themselves have a transparent background.
 */
import type { View } from 'vega';
import type { EpochMetrics, EvaluationResult } from '../../training/run-types';
import { renderConfusionMatrix } from './confusion-matrix-render';
import {
  LINE_CHART_IMAGE_HEIGHT_PX as EPOCH_CHART_IMAGE_HEIGHT_PX,
  LINE_CHART_IMAGE_WIDTH_PX as EPOCH_CHART_IMAGE_WIDTH_PX,
} from './line-chart-image';
import { createLiveLineChart } from './live-line-chart';
import { epochFrame } from './training-chart-frames';

/** PNG images as data URLs (`data:image/png;base64,…`). */
export interface RunChartImages {
  loss: string;
  accuracy: string;
  confusion: string;
}

/** The chart's canvas in `box`, copied onto an opaque white canvas, as a PNG data URL. */
function canvasOnWhite(box: HTMLElement): string {
  const source = box.querySelector('canvas');
  if (!source) throw new Error('The chart drew no canvas');
  const target = document.createElement('canvas');
  target.width = source.width;
  target.height = source.height;
  const context = target.getContext('2d');
  if (!context) throw new Error('No 2D canvas context for the chart image');
  context.fillStyle = 'white';
  context.fillRect(0, 0, target.width, target.height);
  context.drawImage(source, 0, 0);
  return target.toDataURL('image/png');
}

/** A box of fixed size in `host`, for one chart. */
function chartBox(host: HTMLElement, widthPx: number): HTMLElement {
  const box = document.createElement('div');
  box.style.width = `${widthPx}px`;
  host.append(box);
  return box;
}

/** Training and validation `metric` per epoch, as the tab's epoch chart draws it. */
export async function drawEpochChartImage(
  host: HTMLElement,
  epochs: EpochMetrics[],
  metric: 'loss' | 'accuracy',
): Promise<string> {
  const frame = epochFrame(epochs, metric);
  if (!frame) throw new Error('No epochs to draw');
  const box = chartBox(host, EPOCH_CHART_IMAGE_WIDTH_PX);
  const chart = createLiveLineChart(box, {
    yLabel: metric,
    heightPx: EPOCH_CHART_IMAGE_HEIGHT_PX,
    zoomToFit: true,
  });
  try {
    await chart.update(frame);
    return canvasOnWhite(box);
  } finally {
    chart.dispose();
    box.remove();
  }
}

/** The test-set confusion matrix, as the results panel draws it. */
export async function drawConfusionMatrixImage(
  host: HTMLElement,
  evaluation: EvaluationResult,
): Promise<string> {
  const box = chartBox(host, EPOCH_CHART_IMAGE_WIDTH_PX);
  let view: View | null = null;
  try {
    view = await renderConfusionMatrix(box, evaluation);
    return canvasOnWhite(box);
  } finally {
    view?.finalize();
    box.remove();
  }
}

/** The three images of a run that trained at least one epoch. */
export async function drawRunChartImages(
  host: HTMLElement,
  epochs: EpochMetrics[],
  evaluation: EvaluationResult,
): Promise<RunChartImages> {
  return {
    loss: await drawEpochChartImage(host, epochs, 'loss'),
    accuracy: await drawEpochChartImage(host, epochs, 'accuracy'),
    confusion: await drawConfusionMatrixImage(host, evaluation),
  };
}
