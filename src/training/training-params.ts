/**
 * The settings of one training run: what they are, their defaults, their bounds, and the one
 * validator that the form, the engine, stored records and the command line all use. Its
 * messages are the sentences a person reads. No TensorFlow.js here.
 */
import {
  ARCHITECTURES,
  DEFAULT_ARCHITECTURE_ID,
  type ArchitectureId,
} from '../model/architecture-catalog';
import { isRecord } from '../shared/guards';

/** Momentum of the SGD option, the common Keras choice. */
export const SGD_MOMENTUM = 0.9;

/** The optimizers a run can use, in the order the UI lists them. */
export const OPTIMIZERS = [
  { id: 'adam', label: 'Adam' },
  { id: 'sgd-momentum', label: `SGD with momentum ${SGD_MOMENTUM}` },
  { id: 'rmsprop', label: 'RMSprop' },
] as const;

export type OptimizerId = (typeof OPTIMIZERS)[number]['id'];

export function isOptimizerId(value: unknown): value is OptimizerId {
  return OPTIMIZERS.some((optimizer) => optimizer.id === value);
}

export function optimizerLabel(id: OptimizerId): string {
  return OPTIMIZERS.find((optimizer) => optimizer.id === id)?.label ?? id;
}

/** What the user sets for one run. */
export interface TrainingParams {
  architectureId: ArchitectureId;
  /** Passes over the training rows; 0 trains nothing (the model is only evaluated). */
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerId;
  /** Fraction of the training file held out for validation, from its end (Keras semantics). */
  validationFraction: number;
  /** Seed for shuffling, initialisation and dropout, uint32; unset means a fresh random run. */
  seed?: number;
}

/** The seed project's settings: its CNN, 10 epochs of batch 64, Adam 1e-3, 48,000 / 12,000. */
export const DEFAULT_TRAINING_PARAMS: TrainingParams = {
  architectureId: DEFAULT_ARCHITECTURE_ID,
  epochs: 10,
  batchSize: 64,
  learningRate: 0.001,
  optimizer: 'adam',
  validationFraction: 0.2,
};

/** The bounds the validator applies; the form uses them for its inputs' min and max. */
export const TRAINING_PARAM_BOUNDS = {
  epochs: { min: 0, max: 1000 },
  batchSize: { min: 1, max: 4096 },
  /** Above 0 (exclusive), at most `max`. */
  learningRate: { max: 10 },
  /** From 0 up to, not including, `below`: at least a tenth of the file is left to train on. */
  validationFraction: { below: 0.9 },
  /** A uint32, as the row-order and initialiser seeds need. */
  seed: { min: 0, max: 0xffff_ffff },
} as const;

const isWholeNumberIn = (value: unknown, { min, max }: { min: number; max: number }) =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/** Why `rate` cannot be a learning rate, or null when it can. */
export function findLearningRateProblem(rate: unknown): string | null {
  const { max } = TRAINING_PARAM_BOUNDS.learningRate;
  return typeof rate === 'number' && rate > 0 && rate <= max
    ? null
    : `Learning rate must be a number above 0 and at most ${max}.`;
}

/**
 * Every problem of `value` as TrainingParams, one sentence each (empty when it is valid), in
 * the order of the form's fields.
 */
export function findTrainingParamsProblems(value: unknown): string[] {
  if (!isRecord(value)) return ['The training settings are missing.'];
  const { epochs, batchSize, seed } = TRAINING_PARAM_BOUNDS;
  const problems: string[] = [];
  if (!ARCHITECTURES.some((info) => info.id === value.architectureId)) {
    const ids = ARCHITECTURES.map((info) => info.id).join(', ');
    problems.push(`Unknown architecture ${JSON.stringify(value.architectureId)} (one of ${ids}).`);
  }
  if (!isWholeNumberIn(value.epochs, epochs)) {
    problems.push(
      `The number of epochs must be a whole number from ${epochs.min} to ${epochs.max}.`,
    );
  }
  if (!isWholeNumberIn(value.batchSize, batchSize)) {
    problems.push(`Batch size must be a whole number from ${batchSize.min} to ${batchSize.max}.`);
  }
  const rateProblem = findLearningRateProblem(value.learningRate);
  if (rateProblem) problems.push(rateProblem);
  if (!isOptimizerId(value.optimizer)) {
    const ids = OPTIMIZERS.map((optimizer) => optimizer.id).join(', ');
    problems.push(`Unknown optimizer ${JSON.stringify(value.optimizer)} (one of ${ids}).`);
  }
  const fraction = value.validationFraction;
  const below = TRAINING_PARAM_BOUNDS.validationFraction.below;
  if (!(typeof fraction === 'number' && fraction >= 0 && fraction < below)) {
    problems.push(
      `Validation must be from 0 % to under ${below * 100} % of the training file (a share from 0 to under ${below}).`,
    );
  }
  if (value.seed !== undefined && !isWholeNumberIn(value.seed, seed)) {
    problems.push(
      `Seed must be a whole number from ${seed.min} to ${seed.max}, or empty for a random run.`,
    );
  }
  return problems;
}

/** The first problem of `value` as TrainingParams, or null when it is valid. */
export function findTrainingParamsProblem(value: unknown): string | null {
  return findTrainingParamsProblems(value)[0] ?? null;
}

/** Throws an Error listing every problem unless `value` is valid TrainingParams. */
export function assertTrainingParams(value: unknown): asserts value is TrainingParams {
  const problems = findTrainingParamsProblems(value);
  if (problems.length > 0) throw new Error(problems.join(' '));
}
