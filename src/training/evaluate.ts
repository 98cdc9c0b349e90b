/**
 * Evaluating a model on a split in batches. Each batch's probabilities ([n, 10] float32, a few
 * KB) are read back once and everything else (loss, confusion, misclassified) is computed in
 * plain JS, which keeps tensor work to one predict per batch and makes the numbers easy to
 * check by hand.
 */
import * as tf from '@tensorflow/tfjs';
import { NUM_CLASSES } from '../config/dataset';
import { BatchGatherer, splitLength } from './batches';
import {
  MAX_MISCLASSIFIED_SHOWN,
  type EvaluationResult,
  type MisclassifiedExample,
  type SplitArrays,
} from './run-types';

/** Rows per predict call during evaluation; larger than training batches since no gradients. */
export const EVALUATION_BATCH_SIZE = 256;
/** Keras clips probabilities to [ε, 1 − ε] before the log in categorical cross-entropy. */
export const CROSS_ENTROPY_EPSILON = 1e-7;

export interface EvaluateOptions {
  batchSize?: number;
  /** Also build confusion matrix and misclassified list (validation only needs loss/accuracy). */
  isDetailed?: boolean;
  /** Awaited between batches so a long evaluation does not block the thread's messages. */
  yieldToEventLoop?: () => Promise<void>;
}

/** Mean loss and accuracy only. */
export interface LossAndAccuracy {
  loss: number;
  accuracy: number;
  count: number;
}

/** Cross-entropy of one prediction, Keras-style clipped. */
function crossEntropy(probabilityOfTrueClass: number): number {
  const p = Math.min(
    Math.max(probabilityOfTrueClass, CROSS_ENTROPY_EPSILON),
    1 - CROSS_ENTROPY_EPSILON,
  );
  return -Math.log(p);
}

/**
 * Runs `model` over `split` in batches of at most `batchSize` rows and hands each batch's class
 * probabilities, float32 [rows × 10] row-major, to `onBatch` (a view the call may reuse: copy
 * what you keep). Yields between batches when asked, so a long pass does not block the thread.
 */
export async function predictInBatches(
  model: tf.LayersModel,
  split: SplitArrays,
  options: Pick<EvaluateOptions, 'batchSize' | 'yieldToEventLoop'>,
  onBatch: (start: number, rows: number, probabilities: Float32Array) => void,
): Promise<void> {
  const count = splitLength(split);
  const batchSize = Math.max(1, Math.min(options.batchSize ?? EVALUATION_BATCH_SIZE, count || 1));
  const gatherer = new BatchGatherer(split, batchSize);
  for (let start = 0; start < count; start += batchSize) {
    const rows = Math.min(batchSize, count - start);
    const output = tf.tidy(() => {
      const { xs, ys } = gatherer.gatherRange(start, rows);
      ys.dispose();
      return model.predict(xs) as tf.Tensor2D;
    });
    const values = (await output.data()) as Float32Array;
    output.dispose();
    onBatch(start, rows, values);
    if (options.yieldToEventLoop) await options.yieldToEventLoop();
  }
}

/**
 * Loss, accuracy, 10 × 10 confusion matrix, per-class accuracy and the most confident mistakes
 * of `model` on `split`. An empty split gives NaN loss/accuracy.
 */
export async function evaluateModel(
  model: tf.LayersModel,
  split: SplitArrays,
  options: EvaluateOptions = {},
): Promise<EvaluationResult> {
  const count = splitLength(split);
  const confusion = Array.from({ length: NUM_CLASSES }, () =>
    new Array<number>(NUM_CLASSES).fill(0),
  );
  const mistakes: MisclassifiedExample[] = [];
  let lossSum = 0;
  let correct = 0;

  await predictInBatches(model, split, options, (start, rows, values) => {
    for (let r = 0; r < rows; r++) {
      const trueLabel = split.labels[start + r];
      const offset = r * NUM_CLASSES;
      let predicted = 0;
      for (let c = 1; c < NUM_CLASSES; c++) {
        if (values[offset + c] > values[offset + predicted]) predicted = c;
      }
      lossSum += crossEntropy(values[offset + trueLabel]);
      confusion[trueLabel][predicted]++;
      if (predicted === trueLabel) {
        correct++;
      } else if (options.isDetailed !== false) {
        mistakes.push({
          index: start + r,
          trueLabel,
          predictedLabel: predicted,
          confidence: values[offset + predicted],
        });
      }
    }
  });

  mistakes.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
  const perClassAccuracy = confusion.map((row, label) => {
    const total = row.reduce((sum, n) => sum + n, 0);
    return total === 0 ? Number.NaN : row[label] / total;
  });
  return {
    loss: count === 0 ? Number.NaN : lossSum / count,
    accuracy: count === 0 ? Number.NaN : correct / count,
    count,
    confusion,
    perClassAccuracy,
    misclassified: mistakes.slice(0, MAX_MISCLASSIFIED_SHOWN),
  };
}

/** Mean loss and accuracy (validation at each epoch end). */
export async function evaluateLossAndAccuracy(
  model: tf.LayersModel,
  split: SplitArrays,
  options: Omit<EvaluateOptions, 'isDetailed'> = {},
): Promise<LossAndAccuracy> {
  const { loss, accuracy, count } = await evaluateModel(model, split, {
    ...options,
    isDetailed: false,
  });
  return { loss, accuracy, count };
}
