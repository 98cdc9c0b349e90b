/**
 * A finished run's charts as PNG images (the command line's loss.png, accuracy.png and
 * confusion.png): the very images the tab's Download PNG buttons give for the `Loss per epoch`
 * and `Accuracy per epoch` figures and the confusion matrix, titled like the seed project's
 * Keras figures, on white, at PNG_SCALE times their CSS size.
 */
import { CLASS_NAMES } from '../../config/dataset';
import type { EpochMetrics, EvaluationResult } from '../../training/run-types';
import { CONFUSION_IMAGE_TITLE, EPOCH_IMAGE_TITLES } from './chart-titles';
import { drawChartImage, type ChartImageSource } from './chart-export';
import { buildConfusionMatrixSpec, toConfusionCells } from './confusion-matrix-spec';
import { lineChartImageSource } from './line-chart-image';
import { epochFrame } from './training-chart-frames';

/** PNG images as data URLs (`data:image/png;base64,…`). */
export interface RunChartImages {
  loss: string;
  accuracy: string;
  confusion: string;
}

function blobToDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('Could not read the chart image'));
    reader.readAsDataURL(blob);
  });
}

const pngDataUrl = async (source: ChartImageSource) =>
  blobToDataUrl(await drawChartImage(source, 'png'));

/** Training and validation `metric` per epoch, as the tab's epoch chart downloads it. */
export function drawEpochChartImage(
  epochs: EpochMetrics[],
  metric: 'loss' | 'accuracy',
): Promise<string> {
  const frame = epochFrame(epochs, metric);
  if (!frame) throw new Error('No epochs to draw');
  return pngDataUrl(lineChartImageSource(frame, metric, EPOCH_IMAGE_TITLES[metric]));
}

/** The test-set confusion matrix, as the results panel downloads it. */
export function drawConfusionMatrixImage(evaluation: EvaluationResult): Promise<string> {
  const spec = buildConfusionMatrixSpec(
    toConfusionCells(evaluation.confusion, CLASS_NAMES),
    CLASS_NAMES,
  );
  return pngDataUrl({ spec, title: CONFUSION_IMAGE_TITLE });
}

/** The three images of a run that trained at least one epoch. */
export async function drawRunChartImages(
  epochs: EpochMetrics[],
  evaluation: EvaluationResult,
): Promise<RunChartImages> {
  return {
    loss: await drawEpochChartImage(epochs, 'loss'),
    accuracy: await drawEpochChartImage(epochs, 'accuracy'),
    confusion: await drawConfusionMatrixImage(evaluation),
  };
}
