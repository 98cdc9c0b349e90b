/**
 * The last check of an uploaded model before the page adopts it: the model is built where the
 * app's other model work runs (deserialized, then one prediction on a blank image) and its
 * answer must be 10 class probabilities. Reading the files (model-upload.ts) cannot see a layer
 * or activation tfjs does not know, or weights that do not fit their layers; adopting such a
 * model would replace the current one with one that fails at its first use.
 */
import { NUM_CLASSES, PIXELS_PER_IMAGE } from '../config/dataset';
import { errorMessage } from '../shared/errors';
import type { SerializedModel } from '../training/run-types';
import type { ReadModelFilesResult } from './model-upload';
import { StorageError } from './storage-error';

/** How far a softmax's 10 float32 probabilities may sum from 1. */
const PROBABILITY_SUM_TOLERANCE = 1e-3;

/** Class probabilities, float32 [n × 10], of `model` on uint8 [n × 784] images. */
export type PredictWithModel = (
  model: SerializedModel,
  images: Uint8Array,
) => Promise<Float32Array>;

const withFinalStop = (text: string): string => (/[.!?]$/.test(text) ? text : `${text}.`);

/** What is wrong with `values` as one image's class probabilities; null when nothing is. */
function describeNonProbabilities(values: Float32Array): string | null {
  if (values.length !== NUM_CLASSES) {
    return (
      `the model gave ${values.length} values for one image; this app needs ${NUM_CLASSES} ` +
      'class probabilities.'
    );
  }
  if (!values.every(Number.isFinite)) {
    return (
      'the model gives values that are not numbers (NaN or infinite) for a blank image: its ' +
      'weights or layers do not compute.'
    );
  }
  const sum = values.reduce((total, p) => total + p, 0);
  const isInRange = values.every(
    (p) => p >= -PROBABILITY_SUM_TOLERANCE && p <= 1 + PROBABILITY_SUM_TOLERANCE,
  );
  if (!isInRange || Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE) {
    return (
      `the model's ${NUM_CLASSES} outputs for a blank image are not class probabilities (they ` +
      `sum to ${sum.toPrecision(4)}, not 1): its last layer needs a softmax activation.`
    );
  }
  return null;
}

/**
 * Builds the model read from files with `predict` (one blank 28×28 image) and checks that it
 * answers with class probabilities. Throws a StorageError of kind 'unreadable' whose message
 * starts with the model JSON's name and says what is wrong (tfjs's words when it is tfjs that
 * refuses the model).
 */
export async function checkModelBuilds(
  read: ReadModelFilesResult,
  predict: PredictWithModel,
): Promise<void> {
  const refuse = (what: string, cause?: unknown) =>
    new StorageError(
      'unreadable',
      `${read.modelFileName}: ${what}`,
      cause === undefined ? undefined : { cause },
    );
  let probabilities: Float32Array;
  try {
    probabilities = await predict(read.model, new Uint8Array(PIXELS_PER_IMAGE));
  } catch (error) {
    throw refuse(withFinalStop(errorMessage(error)), error);
  }
  const problem = describeNonProbabilities(probabilities);
  if (problem !== null) throw refuse(problem);
}
