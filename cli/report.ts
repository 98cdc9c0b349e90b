/** The text the command prints around a run: its setting, its backend and its results. */
import { CLASS_NAMES } from '../src/config/dataset';
import { getArchitectureInfo } from '../src/model/architecture-catalog';
import type { BackendInfo, EvaluationResult } from '../src/training/run-types';
import { optimizerLabel, recipeOf, type TrainingParams } from '../src/training/training-params';

const count = (n: number) => n.toLocaleString('en-US');
/** `1 epoch`, `10 epochs`. */
export const epochsText = (n: number) => `${n} epoch${n === 1 ? '' : 's'}`;
const fraction = (x: number) => x.toFixed(4);

/** `Training seed-cnn (484,302 parameters) · 10 epochs · batch 64 · Adam lr 0.001 · …` */
export function describeSettings(
  params: TrainingParams,
  options: { isSeedChosen?: boolean } = {},
): string {
  const info = getArchitectureInfo(params.architectureId);
  const recipe = recipeOf(params);
  const parts = [
    `Training ${info.id} (${count(info.totalParams)} parameters)`,
    epochsText(params.epochs),
    `batch ${params.batchSize}`,
    `${optimizerLabel(params.optimizer)} lr ${params.learningRate}`,
    `validation share ${params.validationFraction}`,
    params.seed === undefined
      ? 'random seed'
      : `seed ${params.seed}${options.isSeedChosen ? ' (chosen at random)' : ''}`,
  ];
  if (recipe.lrSchedule !== 'constant') parts.push(`${recipe.lrSchedule} schedule`);
  if (recipe.labelSmoothing > 0) parts.push(`label smoothing ${recipe.labelSmoothing}`);
  if (recipe.augmentFlip) parts.push('random flips');
  if (recipe.augmentShiftPx > 0) parts.push(`random shifts ≤ ${recipe.augmentShiftPx} px`);
  if (recipe.testTimeFlip) parts.push('test-time flip averaging');
  if (recipe.keepBestWeights) parts.push('keeps the best weights');
  if (recipe.earlyStoppingPatience > 0)
    parts.push(`early stopping after ${recipe.earlyStoppingPatience}`);
  if (recipe.weightDecay > 0) parts.push(`weight decay ${recipe.weightDecay}`);
  return parts.join(' · ');
}

/** `Backend: wasm in a Web Worker · 2 threads, SIMD (auto: …)` */
export function describeBackend(info: BackendInfo): string {
  const where = info.path === 'worker' ? 'in a Web Worker' : 'on the main thread';
  const details: string[] = [];
  if (info.name === 'wasm') {
    const threads = info.wasmThreads ?? 1;
    details.push(`${threads} thread${threads === 1 ? '' : 's'}${info.wasmSimd ? ', SIMD' : ''}`);
  }
  if (info.name === 'webgl' && info.renderer) {
    details.push(`${info.renderer}${info.isSoftwareRenderer ? ' (software)' : ''}`);
  }
  return `Backend: ${info.name} ${where}${details.map((d) => ` · ${d}`).join('')} (${info.reason})`;
}

/** A table with right-aligned columns, first column left-aligned. */
function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  return rows.map((row) =>
    row
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd(),
  );
}

/** Test loss and accuracy, per-class accuracy and the confusion matrix, as text lines. */
export function describeEvaluation(evaluation: EvaluationResult): string[] {
  const lines = [
    `Test (${count(evaluation.count)} images): loss ${fraction(evaluation.loss)} · accuracy ${fraction(evaluation.accuracy)}`,
  ];
  const flip = evaluation.flipAveraged;
  if (flip) {
    lines.push(
      `Test with flip averaging: loss ${fraction(flip.loss)} · accuracy ${fraction(flip.accuracy)}`,
    );
  }
  const classLabel = (c: number) => `${c} ${CLASS_NAMES[c]}`;
  const imagesOf = (c: number) => evaluation.confusion[c].reduce((a, b) => a + b, 0);
  lines.push('', 'Accuracy per class:');
  const perClass = CLASS_NAMES.map((_, c) => [
    classLabel(c),
    Number.isNaN(evaluation.perClassAccuracy[c]) ? '–' : fraction(evaluation.perClassAccuracy[c]),
    `${count(imagesOf(c))} images`,
  ]);
  lines.push(...table(perClass).map((line) => `  ${line}`));
  lines.push('', 'Confusion matrix (rows: true class, columns: predicted class):');
  const header = ['', ...CLASS_NAMES.map((_, c) => String(c))];
  const rows = evaluation.confusion.map((row, c) => [classLabel(c), ...row.map(String)]);
  lines.push(...table([header, ...rows]).map((line) => `  ${line}`));
  return lines;
}
