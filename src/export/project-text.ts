/**
 * The generated parts of an exported project's text: the constants `tab_compat.py` takes from
 * the app, the run's settings block of `train.py`, and the README's settings and flags
 * tables. Everything comes from the app's own constants, so the exported run cannot drift from
 * the tab's.
 */
import { CLASS_NAMES, IMAGE_SIZE_PX, MAX_PIXEL_VALUE, NUM_CLASSES } from '../config/dataset';
import { getArchitectureInfo, type ArchitectureId } from '../model/architecture-catalog';
import { BATCH_NORM_EPSILON, BATCH_NORM_MOMENTUM } from '../model/architecture-layers';
import { MODEL_METADATA_SCHEMA_VERSION } from '../storage/model-metadata';
import {
  LR_SCHEDULES,
  ONE_CYCLE_END_DIVISOR,
  ONE_CYCLE_START_DIVISOR,
  ONE_CYCLE_WARMUP_FRACTION,
  STEP_DECAY_FACTOR,
  STEP_DECAY_MILESTONES,
} from '../training/lr-schedule';
import {
  OPTIMIZERS,
  optimizerLabel,
  recipeOf,
  SGD_MOMENTUM,
  TRAINING_PARAM_BOUNDS,
  type TrainingParams,
} from '../training/training-params';
import { APP_TFJS_VERSION } from './tfjs-topology';
import { pythonConstants, toPythonLiteral } from './python-source';

/**
 * evaluate.ts's constants (Keras' clipping of probabilities in the cross-entropy, and rows per
 * evaluation step), repeated here because that module loads TensorFlow.js; a test checks
 * they are equal.
 */
export const TAB_CROSS_ENTROPY_EPSILON = 1e-7;
export const TAB_EVALUATION_BATCH_SIZE = 256;
/** TensorFlow.js's backend epsilon on the CPU and WASM backends (Adam's and RMSprop's ε). */
export const TFJS_EPSILON = 1e-7;
/** `tf.train.rmsprop`'s default decay. */
export const TFJS_RMSPROP_DECAY = 0.9;

/** The `# <<app-constants>>` block of tab_compat.py. */
export function appConstantsSource(): string {
  return `# The app's constants, as Fashion-MNIST Studio defines them.
${pythonConstants({
  IMAGE_SIZE_PX,
  NUM_CLASSES,
  MAX_PIXEL_VALUE,
  CLASS_NAMES: [...CLASS_NAMES],
  OPTIMIZERS: OPTIMIZERS.map((optimizer) => optimizer.id),
  LR_SCHEDULES: LR_SCHEDULES.map((schedule) => schedule.id),
  PARAM_BOUNDS: TRAINING_PARAM_BOUNDS,
  STEP_DECAY_MILESTONES: [...STEP_DECAY_MILESTONES],
  STEP_DECAY_FACTOR,
  ONE_CYCLE_WARMUP_FRACTION,
  ONE_CYCLE_START_DIVISOR,
  ONE_CYCLE_END_DIVISOR,
  BATCH_NORM_MOMENTUM,
  BATCH_NORM_EPSILON,
  TFJS_EPSILON,
  RMSPROP_DECAY: TFJS_RMSPROP_DECAY,
  SGD_MOMENTUM,
  CROSS_ENTROPY_EPSILON: TAB_CROSS_ENTROPY_EPSILON,
  EVALUATION_BATCH_SIZE: TAB_EVALUATION_BATCH_SIZE,
  TFJS_VERSION: APP_TFJS_VERSION,
  MODEL_METADATA_SCHEMA_VERSION,
})}`;
}

/** The `# <<run-settings>>` block of train.py: the run as the tab set it up. */
export function runSettingsSource(params: TrainingParams, initFromPath: string | null): string {
  const settings = {
    epochs: params.epochs,
    batchSize: params.batchSize,
    learningRate: params.learningRate,
    optimizer: params.optimizer,
    validationFraction: params.validationFraction,
    seed: params.seed ?? null,
    recipe: recipeOf(params),
  };
  const initFrom =
    initFromPath === null
      ? 'None'
      : `os.path.join(HERE, ${initFromPath
          .split('/')
          .map((part) => JSON.stringify(part))
          .join(', ')})`;
  return `HERE = os.path.dirname(os.path.abspath(__file__))

# The run as the tab set it up (the tab's TrainingParams); every flag overrides one setting.
ARCHITECTURE_ID = ${JSON.stringify(params.architectureId)}
TRAINING_PARAMS = ${toPythonLiteral(settings)}
# Model files downloaded from the tab to start from (continue training), or None.
INIT_FROM = ${initFrom}
# The topology and weight list of the tab's model files, for the files the run writes.
TAB_FORMAT_FILE = os.path.join(HERE, "tab-model-format.json")`;
}

const onOff = (value: boolean) => (value ? 'on' : 'off');

/** The settings table of the README: each setting, its value, the flag that changes it. */
export function settingsTable(params: TrainingParams): string {
  const recipe = recipeOf(params);
  const info = getArchitectureInfo(params.architectureId);
  const rows: [string, string, string][] = [
    ['Architecture', `${info.label} (${info.totalParams.toLocaleString('en-US')} parameters)`, ''],
    ['Epochs', String(params.epochs), '--epochs'],
    ['Batch size', `${params.batchSize} (global: split between processes)`, '--batch-size'],
    ['Learning rate', String(params.learningRate), '--lr'],
    ['Optimizer', optimizerLabel(params.optimizer), '--optimizer'],
    [
      'Validation',
      `last ${params.validationFraction * 100} % of the training file`,
      '--validation',
    ],
    ['Seed', params.seed === undefined ? 'random' : String(params.seed), '--seed'],
    [
      'Learning-rate schedule',
      LR_SCHEDULES.find((s) => s.id === recipe.lrSchedule)?.label ?? recipe.lrSchedule,
      '--lr-schedule',
    ],
    ['Label smoothing', String(recipe.labelSmoothing), '--label-smoothing'],
    ['Random flip', onOff(recipe.augmentFlip), '--augment-flip / --no-augment-flip'],
    ['Random shift', `${recipe.augmentShiftPx} px`, '--augment-shift'],
    ['Test-time flip averaging', onOff(recipe.testTimeFlip), '--tta / --no-tta'],
    ['Keep the best weights', onOff(recipe.keepBestWeights), '--keep-best / --no-keep-best'],
    [
      'Early-stopping patience',
      recipe.earlyStoppingPatience === 0 ? 'off' : `${recipe.earlyStoppingPatience} epochs`,
      '--early-stopping-patience',
    ],
    ['Weight decay', String(recipe.weightDecay), '--weight-decay'],
  ];
  const lines = rows.map(
    ([name, value, flag]) => `| ${name} | ${value} | ${flag ? `\`${flag}\`` : ''} |`,
  );
  return `## The run

The tab's settings, which the script uses unless a flag says otherwise:

| setting | value | flag |
| --- | --- | --- |
${lines.join('\n')}`;
}

/** The README section on the flags beyond the settings. */
export function flagsSection(): string {
  return `## Flags

\`--path DIR\` (required) and \`--epochs N\` as in the seed project; every setting of the table
above has its flag, named as in \`npm run train\`. \`--out DIR\` is where the files go
(default \`output/\`), \`--init-from MODEL.json\` starts from model files downloaded from the
tab (continue training, with a fresh optimizer as the tab's "Train further"), and \`--fresh\`
ignores a default \`--init-from\`.`;
}

/** The README's line about model files shipped with the project, or nothing. */
export function initialModelNote(initFromPath: string | null): string {
  if (initFromPath === null) return '';
  return `- \`${initFromPath}\` (with its \`.weights.bin\` and \`.metadata.json\`): the model as the tab
  had it. The run starts from these weights (imported exactly); \`--fresh\` starts from new
  ones.`;
}

/** The README's title line. */
export function readmeTitle(id: ArchitectureId, framework: string): string {
  return `# ${getArchitectureInfo(id).label} on Fashion-MNIST: a Fashion-MNIST Studio run for ${framework}`;
}
