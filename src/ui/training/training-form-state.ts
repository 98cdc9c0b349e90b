/**
 * The training form's fields as typed (text, so a half-typed number is not lost) and how they
 * become TrainingParams. The checks are training-params.ts's, so the form says exactly what
 * the engine and the command line would say.
 */
import type { ArchitectureId } from '../../model/architecture-catalog';
import {
  DEFAULT_TRAINING_PARAMS,
  findTrainingParamsProblems,
  type OptimizerId,
  type TrainingParams,
} from '../../training/training-params';

export interface TrainingFormState {
  architectureId: ArchitectureId;
  optimizer: OptimizerId;
  epochs: string;
  batchSize: string;
  learningRate: string;
  /** Percent of the training file, as the form shows it (the params hold a fraction). */
  validationPercent: string;
  /** Empty for a random run. */
  seed: string;
  /** Train the current model further instead of a fresh one. */
  isTrainingFurther: boolean;
}

export type TrainingFormTextField =
  'epochs' | 'batchSize' | 'learningRate' | 'validationPercent' | 'seed';

export type TrainingFormAction =
  | { type: 'text'; field: TrainingFormTextField; value: string }
  | { type: 'architecture'; id: ArchitectureId }
  | { type: 'optimizer'; id: OptimizerId }
  | { type: 'train-further'; isOn: boolean };

export const INITIAL_TRAINING_FORM: TrainingFormState = {
  architectureId: DEFAULT_TRAINING_PARAMS.architectureId,
  optimizer: DEFAULT_TRAINING_PARAMS.optimizer,
  epochs: String(DEFAULT_TRAINING_PARAMS.epochs),
  batchSize: String(DEFAULT_TRAINING_PARAMS.batchSize),
  learningRate: String(DEFAULT_TRAINING_PARAMS.learningRate),
  validationPercent: String(DEFAULT_TRAINING_PARAMS.validationFraction * 100),
  seed: '',
  isTrainingFurther: false,
};

export function trainingFormReducer(
  state: TrainingFormState,
  action: TrainingFormAction,
): TrainingFormState {
  switch (action.type) {
    case 'text':
      return { ...state, [action.field]: action.value };
    case 'architecture':
      return { ...state, architectureId: action.id };
    case 'optimizer':
      return { ...state, optimizer: action.id };
    case 'train-further':
      return { ...state, isTrainingFurther: action.isOn };
  }
}

/** A number input's text as a number; NaN when it is empty or not a number. */
const readNumber = (text: string): number => (text.trim() === '' ? NaN : Number(text));

/** The params the form describes, or every problem with them in the user's words. */
export function readTrainingForm(
  state: TrainingFormState,
): { params: TrainingParams; problems: [] } | { params: null; problems: string[] } {
  const params: TrainingParams = {
    architectureId: state.architectureId,
    epochs: readNumber(state.epochs),
    batchSize: readNumber(state.batchSize),
    learningRate: readNumber(state.learningRate),
    optimizer: state.optimizer,
    validationFraction: readNumber(state.validationPercent) / 100,
    ...(state.seed.trim() === '' ? {} : { seed: readNumber(state.seed) }),
  };
  const problems = findTrainingParamsProblems(params);
  return problems.length === 0 ? { params, problems: [] } : { params: null, problems };
}
