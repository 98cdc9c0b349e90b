/**
 * The training form's fields as typed (text, so a half-typed number is not lost) and how they
 * become TrainingParams. The checks are training-params.ts's, so the form says exactly what
 * the engine and the command line would say. A recipe preset fills the fields it covers; any
 * edit of those fields afterwards makes the form's recipe "Custom".
 */
import type { ArchitectureId } from '../../model/architecture-catalog';
import type { LrScheduleKind } from '../../training/lr-schedule';
import {
  DEFAULT_TRAINING_PARAMS,
  findTrainingParamsProblems,
  getRecipePreset,
  type OptimizerId,
  type RecipePresetId,
  type RecipeSettings,
  type TrainingParams,
} from '../../training/training-params';

/** The `Recipe` select: a preset, or the fields as edited. */
export type RecipeChoice = RecipePresetId | 'custom';

export interface TrainingFormState {
  recipe: RecipeChoice;
  architectureId: ArchitectureId;
  optimizer: OptimizerId;
  epochs: string;
  batchSize: string;
  learningRate: string;
  /** Percent of the training file, as the form shows it (the params hold a fraction). */
  validationPercent: string;
  /** Empty for a random run. */
  seed: string;
  lrSchedule: LrScheduleKind;
  labelSmoothing: string;
  augmentFlip: boolean;
  augmentShiftPx: string;
  testTimeFlip: boolean;
  keepBestWeights: boolean;
  /** 0 never stops early. */
  earlyStoppingPatience: string;
  weightDecay: string;
  /** Train the current model further instead of a fresh one. */
  isTrainingFurther: boolean;
}

export type TrainingFormTextField =
  | 'epochs'
  | 'batchSize'
  | 'learningRate'
  | 'validationPercent'
  | 'seed'
  | 'labelSmoothing'
  | 'augmentShiftPx'
  | 'earlyStoppingPatience'
  | 'weightDecay';

export type TrainingFormSwitch = 'augmentFlip' | 'testTimeFlip' | 'keepBestWeights';

export type TrainingFormAction =
  | { type: 'text'; field: TrainingFormTextField; value: string }
  | { type: 'switch'; field: TrainingFormSwitch; isOn: boolean }
  | { type: 'recipe'; id: RecipeChoice }
  | { type: 'lr-schedule'; id: LrScheduleKind }
  | { type: 'architecture'; id: ArchitectureId }
  | { type: 'optimizer'; id: OptimizerId }
  | { type: 'train-further'; isOn: boolean };

/** Fields a recipe preset sets; editing one of them leaves the preset. */
const PRESET_FIELDS: ReadonlySet<string> = new Set<keyof TrainingFormState>([
  'epochs',
  'batchSize',
  'learningRate',
  'optimizer',
  'lrSchedule',
  'labelSmoothing',
  'augmentFlip',
  'augmentShiftPx',
  'testTimeFlip',
  'keepBestWeights',
  'earlyStoppingPatience',
  'weightDecay',
]);

/** What a preset sets: everything but architecture, validation share, seed, train-further. */
type PresetFields = Omit<
  TrainingFormState,
  'architectureId' | 'validationPercent' | 'seed' | 'isTrainingFurther'
>;

/** The form's fields for `preset`. */
function presetFields(id: RecipePresetId): PresetFields {
  const { params } = getRecipePreset(id);
  const { recipe } = params;
  return {
    recipe: id,
    epochs: String(params.epochs),
    batchSize: String(params.batchSize),
    learningRate: String(params.learningRate),
    optimizer: params.optimizer,
    lrSchedule: recipe.lrSchedule,
    labelSmoothing: String(recipe.labelSmoothing),
    augmentFlip: recipe.augmentFlip,
    augmentShiftPx: String(recipe.augmentShiftPx),
    testTimeFlip: recipe.testTimeFlip,
    keepBestWeights: recipe.keepBestWeights,
    earlyStoppingPatience: String(recipe.earlyStoppingPatience),
    weightDecay: String(recipe.weightDecay),
  };
}

export const INITIAL_TRAINING_FORM: TrainingFormState = {
  ...presetFields('seed'),
  architectureId: DEFAULT_TRAINING_PARAMS.architectureId,
  validationPercent: String(DEFAULT_TRAINING_PARAMS.validationFraction * 100),
  seed: '',
  isTrainingFurther: false,
};

/** `state` with `changes`, whose recipe turns Custom when a preset's field changed. */
function edit(state: TrainingFormState, changes: Partial<TrainingFormState>): TrainingFormState {
  const isPresetEdit = Object.keys(changes).some((field) => PRESET_FIELDS.has(field));
  return { ...state, ...changes, ...(isPresetEdit ? { recipe: 'custom' as const } : {}) };
}

export function trainingFormReducer(
  state: TrainingFormState,
  action: TrainingFormAction,
): TrainingFormState {
  switch (action.type) {
    case 'text':
      return edit(state, { [action.field]: action.value });
    case 'switch':
      return edit(state, { [action.field]: action.isOn });
    case 'recipe':
      return action.id === 'custom'
        ? { ...state, recipe: 'custom' }
        : { ...state, ...presetFields(action.id) };
    case 'lr-schedule':
      return edit(state, { lrSchedule: action.id });
    case 'architecture':
      return { ...state, architectureId: action.id };
    case 'optimizer':
      return edit(state, { optimizer: action.id });
    case 'train-further':
      return { ...state, isTrainingFurther: action.isOn };
  }
}

/** A number input's text as a number; NaN when it is empty or not a number. */
const readNumber = (text: string): number => (text.trim() === '' ? NaN : Number(text));

function readRecipe(state: TrainingFormState): RecipeSettings {
  return {
    lrSchedule: state.lrSchedule,
    labelSmoothing: readNumber(state.labelSmoothing),
    augmentFlip: state.augmentFlip,
    augmentShiftPx: readNumber(state.augmentShiftPx),
    testTimeFlip: state.testTimeFlip,
    keepBestWeights: state.keepBestWeights,
    earlyStoppingPatience: readNumber(state.earlyStoppingPatience),
    weightDecay: readNumber(state.weightDecay),
  };
}

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
    recipe: readRecipe(state),
  };
  const problems = findTrainingParamsProblems(params);
  return problems.length === 0 ? { params, problems: [] } : { params: null, problems };
}
