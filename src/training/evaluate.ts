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
  /** Also evaluate predictions averaged over each image and its mirror. */
  testTimeFlip?: boolean;
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
 * probabilities, float32 [rows × 10] row-major, to `onBatch` (views the call may reuse: copy
 * what you keep). With `withMirrored`, also the mean of those and the probabilities of the
 * left–right mirrored images (test-time flip averaging). Yields between batches when asked, so
 * a long pass does not block the thread.
 */
export async function predictInBatches(
  model: tf.LayersModel,
  split: SplitArrays,
  options: Pick<EvaluateOptions, 'batchSize' | 'yieldToEventLoop'> & { withMirrored?: boolean },
  onBatch: (
    start: number,
    rows: number,
    probabilities: Float32Array,
    mirrored?: Float32Array,
  ) => void,
): Promise<void> {
  const count = splitLength(split);
  const batchSize = Math.max(1, Math.min(options.batchSize ?? EVALUATION_BATCH_SIZE, count || 1));
  const gatherer = new BatchGatherer(split, batchSize);
  for (let start = 0; start < count; start += batchSize) {
    const rows = Math.min(batchSize, count - start);
    const outputs = tf.tidy(() => {
      const { xs, ys } = gatherer.gatherRange(start, rows);
      ys.dispose();
      const plain = model.predict(xs) as tf.Tensor2D;
      if (!options.withMirrored) return [plain];
      // Axis 2 of [n, 28, 28, 1] is the image's width: reversing it mirrors left–right.
      const mirrored = model.predict(xs.reverse(2)) as tf.Tensor2D;
      return [plain, plain.add(mirrored).div(2) as tf.Tensor2D];
    });
    const values = await Promise.all(outputs.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose(outputs);
    onBatch(start, rows, values[0], values[1]);
    if (options.yieldToEventLoop) await options.yieldToEventLoop();
  }
}

/** Index of the largest of the 10 values at `offset` (the first one on ties). */
function argmaxAt(values: Float32Array, offset: number): number {
  let best = 0;
  for (let c = 1; c < NUM_CLASSES; c++) {
    if (values[offset + c] > values[offset + best]) best = c;
  }
  return best;
}

/**
 * Loss, accuracy, 10 × 10 confusion matrix, per-class accuracy and the most confident mistakes
 * of `model` on `split` (and, with `testTimeFlip`, the loss and accuracy of flip-averaged
 * predictions). An empty split gives NaN loss/accuracy.
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
  const sums = { loss: 0, correct: 0, mirroredLoss: 0, mirroredCorrect: 0 };
  const withMirrored = options.testTimeFlip === true;

  await predictInBatches(
    model,
    split,
    { ...options, withMirrored },
    (start, rows, values, mirrored) => {
      for (let r = 0; r < rows; r++) {
        const trueLabel = split.labels[start + r];
        const offset = r * NUM_CLASSES;
        const predicted = argmaxAt(values, offset);
        sums.loss += crossEntropy(values[offset + trueLabel]);
        confusion[trueLabel][predicted]++;
        if (mirrored) {
          sums.mirroredLoss += crossEntropy(mirrored[offset + trueLabel]);
          if (argmaxAt(mirrored, offset) === trueLabel) sums.mirroredCorrect++;
        }
        if (predicted === trueLabel) {
          sums.correct++;
        } else if (options.isDetailed !== false) {
          mistakes.push({
            index: start + r,
            trueLabel,
            predictedLabel: predicted,
            confidence: values[offset + predicted],
          });
        }
      }
    },
  );

  mistakes.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
  const perClassAccuracy = confusion.map((row, label) => {
    const total = row.reduce((sum, n) => sum + n, 0);
    return total === 0 ? Number.NaN : row[label] / total;
  });
  const mean = (sum: number) => (count === 0 ? Number.NaN : sum / count);
  return {
    loss: mean(sums.loss),
    accuracy: mean(sums.correct),
    count,
    confusion,
    perClassAccuracy,
    misclassified: mistakes.slice(0, MAX_MISCLASSIFIED_SHOWN),
    ...(withMirrored
      ? { flipAveraged: { loss: mean(sums.mirroredLoss), accuracy: mean(sums.mirroredCorrect) } }
      : {}),
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
