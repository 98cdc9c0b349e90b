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
import { LR_SCHEDULES, type LrScheduleKind } from './lr-schedule';

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

/**
 * How a run trains beyond the seed's settings. Every field's default is the seed project's
 * behaviour (Keras defaults), so a run without a recipe trains exactly as before.
 */
export interface RecipeSettings {
  /** How the learning rate moves over the run; `learningRate` is its peak (lr-schedule.ts). */
  lrSchedule: LrScheduleKind;
  /** ε of label smoothing, 0–0.2: targets are (1 − ε) · one-hot + ε / 10. */
  labelSmoothing: number;
  /** Mirror training images left–right at random (training batches only). */
  augmentFlip: boolean;
  /** Shift training images by up to this many pixels at random, 0–4 (training batches only). */
  augmentShiftPx: number;
  /** Also report the test accuracy of predictions averaged over each image and its mirror. */
  testTimeFlip: boolean;
  /** At the end, restore the weights of the epoch with the best validation accuracy. */
  keepBestWeights: boolean;
  /** Stop after this many epochs without a better validation accuracy; 0 never stops early. */
  earlyStoppingPatience: number;
  /** Decoupled weight decay (AdamW's λ): each step kernels shrink by learning rate × λ. */
  weightDecay: number;
}

export const SEED_RECIPE: RecipeSettings = {
  lrSchedule: 'constant',
  labelSmoothing: 0,
  augmentFlip: false,
  augmentShiftPx: 0,
  testTimeFlip: false,
  keepBestWeights: false,
  earlyStoppingPatience: 0,
  weightDecay: 0,
};

/** A named bundle of settings: what a preset sets, on top of the architecture and seed. */
export interface RecipePreset {
  id: RecipePresetId;
  label: string;
  /** What it is for, in one sentence for the form. */
  summary: string;
  params: Pick<TrainingParams, 'epochs' | 'batchSize' | 'learningRate' | 'optimizer'> & {
    recipe: RecipeSettings;
  };
}

export type RecipePresetId = 'seed' | 'quick' | 'best';

/**
 * The presets of the `Recipe` select and `--recipe`. Quick and Best come from the reference
 * instrument's runs and this recipe search; RESULTS.md has every configuration tried and the
 * full-scale runs made with them so far.
 */
export const RECIPE_PRESETS: readonly RecipePreset[] = [
  {
    id: 'seed',
    label: 'Seed (Keras defaults)',
    summary: "The seed project's training: constant Adam 1e-3, batch 64, no augmentation.",
    params: {
      epochs: 10,
      batchSize: 64,
      learningRate: 0.001,
      optimizer: 'adam',
      recipe: SEED_RECIPE,
    },
  },
  {
    id: 'quick',
    label: 'Quick (12 epochs)',
    summary:
      "One-cycle learning rate and label smoothing: about 93 % test accuracy in 12 epochs, where the seed's training needs about 25.",
    params: {
      epochs: 12,
      batchSize: 64,
      learningRate: 0.003,
      optimizer: 'adam',
      recipe: { ...SEED_RECIPE, lrSchedule: 'one-cycle', labelSmoothing: 0.1 },
    },
  },
  {
    id: 'best',
    label: 'Best (highest accuracy)',
    summary:
      "Flips and shifts, one-cycle over 60 epochs, label smoothing, best weights and flip averaging: aims past the seed's 94.25 %.",
    params: {
      epochs: 60,
      batchSize: 128,
      learningRate: 0.002,
      optimizer: 'adam',
      recipe: {
        ...SEED_RECIPE,
        lrSchedule: 'one-cycle',
        labelSmoothing: 0.1,
        augmentFlip: true,
        augmentShiftPx: 2,
        testTimeFlip: true,
        keepBestWeights: true,
      },
    },
  },
];

export function getRecipePreset(id: RecipePresetId): RecipePreset {
  const preset = RECIPE_PRESETS.find((candidate) => candidate.id === id);
  if (!preset) throw new Error(`Unknown recipe "${id}"`);
  return preset;
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
  /** Training recipe; absent means SEED_RECIPE (runs saved before recipes existed too). */
  recipe?: RecipeSettings;
}

/** The recipe a run trains with. */
export function recipeOf(params: Pick<TrainingParams, 'recipe'>): RecipeSettings {
  return params.recipe ?? SEED_RECIPE;
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
  labelSmoothing: { min: 0, max: 0.2 },
  augmentShiftPx: { min: 0, max: 4 },
  earlyStoppingPatience: { min: 0, max: 1000 },
  weightDecay: { min: 0, max: 0.1 },
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
  if (value.recipe !== undefined) problems.push(...findRecipeProblems(value.recipe));
  return problems;
}

const isNumberIn = (value: unknown, { min, max }: { min: number; max: number }) =>
  typeof value === 'number' && value >= min && value <= max;

/** Every problem of `value` as RecipeSettings, one sentence each. */
export function findRecipeProblems(value: unknown): string[] {
  if (!isRecord(value)) return ['The training recipe is missing.'];
  const bounds = TRAINING_PARAM_BOUNDS;
  const problems: string[] = [];
  if (!LR_SCHEDULES.some((schedule) => schedule.id === value.lrSchedule)) {
    const ids = LR_SCHEDULES.map((schedule) => schedule.id).join(', ');
    problems.push(
      `Unknown learning-rate schedule ${JSON.stringify(value.lrSchedule)} (one of ${ids}).`,
    );
  }
  if (!isNumberIn(value.labelSmoothing, bounds.labelSmoothing)) {
    problems.push(`Label smoothing must be a number from 0 to ${bounds.labelSmoothing.max}.`);
  }
  if (typeof value.augmentFlip !== 'boolean') problems.push('Random flip must be on or off.');
  if (!isWholeNumberIn(value.augmentShiftPx, bounds.augmentShiftPx)) {
    problems.push(
      `Random shift must be a whole number of pixels from 0 to ${bounds.augmentShiftPx.max}.`,
    );
  }
  if (typeof value.testTimeFlip !== 'boolean') {
    problems.push('Test-time flip averaging must be on or off.');
  }
  if (typeof value.keepBestWeights !== 'boolean') {
    problems.push('Keeping the best weights must be on or off.');
  }
  if (!isWholeNumberIn(value.earlyStoppingPatience, bounds.earlyStoppingPatience)) {
    problems.push(
      `Early-stopping patience must be a whole number of epochs from 0 (off) to ${bounds.earlyStoppingPatience.max}.`,
    );
  }
  if (!isNumberIn(value.weightDecay, bounds.weightDecay)) {
    problems.push(`Weight decay must be a number from 0 to ${bounds.weightDecay.max}.`);
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
