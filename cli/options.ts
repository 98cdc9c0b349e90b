/**
 * The command line's flags: parsed with Node's util.parseArgs, turned into the tab's
 * TrainingParams (its defaults, its recipe presets) and checked by the app's one validator,
 * whose sentences are what the user reads.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ARCHITECTURES } from '../src/model/architecture-catalog';
import type { BackendPreference } from '../src/training/run-types';
import { LR_SCHEDULES } from '../src/training/lr-schedule';
import {
  DEFAULT_TRAINING_PARAMS,
  findTrainingParamsProblems,
  getRecipePreset,
  OPTIMIZERS,
  RECIPE_PRESETS,
  SEED_RECIPE,
  TRAINING_PARAM_BOUNDS,
  type RecipePresetId,
  type RecipeSettings,
  type TrainingParams,
} from '../src/training/training-params';
import { exportFrameworkOf } from './export-project';
import { UsageError } from './usage-error';
import type { ExportFramework } from '../src/export/training-project';

const BACKENDS: readonly BackendPreference[] = ['auto', 'webgl', 'wasm', 'cpu'];

/** What a run asks for; the caller fills in what a resumed run takes from its checkpoint. */
export interface TrainCommand {
  kind: 'train';
  /** The tab's defaults, the preset and the flags, validated (unused with --resume). */
  params: TrainingParams;
  /** Absolute paths given with --path (folders or files). */
  paths: string[];
  /** Absent: `auto`, or a resumed run's own. */
  backend?: BackendPreference;
  /** Absolute; absent: a new folder under runs/, or a resumed run's own. */
  outDir?: string;
  /** Absolute run folder given with --resume. */
  resumeDir?: string;
  /** The flags given that change training settings (a resumed run keeps its own). */
  settingFlags: string[];
  /** With --export: write this framework's project of the run into outDir, do not train. */
  exportFramework?: ExportFramework;
  /** --monitor-test: evaluate the test split after every epoch too (not a training setting). */
  monitorTest: boolean;
}

export type Command = { kind: 'help' } | TrainCommand;

const OPTIONS = {
  path: { type: 'string', multiple: true },
  architecture: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  batch_size: { type: 'string' },
  lr: { type: 'string' },
  optimizer: { type: 'string' },
  validation: { type: 'string' },
  seed: { type: 'string' },
  recipe: { type: 'string' },
  'lr-schedule': { type: 'string' },
  'label-smoothing': { type: 'string' },
  'augment-flip': { type: 'boolean' },
  'augment-shift': { type: 'string' },
  tta: { type: 'boolean' },
  'keep-best': { type: 'boolean' },
  'early-stopping-patience': { type: 'string' },
  'weight-decay': { type: 'string' },
  backend: { type: 'string' },
  'monitor-test': { type: 'boolean' },
  out: { type: 'string' },
  resume: { type: 'string' },
  export: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseFlags>['values'];

/** Flags that set a training setting, in the order of the help text. */
const SETTING_FLAGS = [
  'architecture',
  'epochs',
  'batch-size',
  'batch_size',
  'lr',
  'optimizer',
  'validation',
  'seed',
  'recipe',
  'lr-schedule',
  'label-smoothing',
  'augment-flip',
  'augment-shift',
  'tta',
  'keep-best',
  'early-stopping-patience',
  'weight-decay',
] as const;

function parseFlags(args: string[]) {
  return parseArgs({ args, options: OPTIONS, strict: true, allowNegative: true });
}

/** util.parseArgs' errors, in this command's words. */
function usageErrorOf(error: unknown): UsageError {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const flag = /'(-[^' ]*)/.exec(message)?.[1] ?? '';
  const seeHelp = '(npm run train -- --help lists them)';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return new UsageError(`Unknown flag ${flag} ${seeHelp}.`);
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const argument = /argument '([^']*)'/.exec(message)?.[1] ?? '';
    return new UsageError(
      `Unexpected argument "${argument}": every value follows its flag, e.g. --path DIR ${seeHelp}.`,
    );
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return new UsageError(`${message.replace(/^Option /, 'Flag ')} ${seeHelp}.`);
  }
  return new UsageError(`${message} ${seeHelp}.`);
}

/** A decimal number; anything else (empty, `1e`, `0x10`, `ten`) is NaN, which the validator refuses. */
function parseNumber(text: string): number {
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text.trim()) ? Number(text) : Number.NaN;
}

const optionalNumber = (text: string | undefined) =>
  text === undefined ? undefined : parseNumber(text);

/** Copies the defined entries of `values` only, so absent flags leave the defaults alone. */
function defined<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

function findPreset(id: string | undefined) {
  if (id === undefined) return undefined;
  if (!RECIPE_PRESETS.some((preset) => preset.id === id)) {
    const ids = RECIPE_PRESETS.map((preset) => preset.id).join(', ');
    throw new UsageError(`Unknown recipe ${JSON.stringify(id)} (one of ${ids}).`);
  }
  return getRecipePreset(id as RecipePresetId);
}

function batchSizeText(values: Values): string | undefined {
  const dashed = values['batch-size'];
  const underscored = values.batch_size;
  if (dashed !== undefined && underscored !== undefined && dashed !== underscored) {
    throw new UsageError('--batch-size and --batch_size are one flag: give it once.');
  }
  return dashed ?? underscored;
}

/** The tab's defaults, then the preset (if any), then every flag given. */
function trainingParamsOf(values: Values): TrainingParams {
  const preset = findPreset(values.recipe);
  const recipe: RecipeSettings = {
    ...(preset?.params.recipe ?? SEED_RECIPE),
    ...defined({
      lrSchedule: values['lr-schedule'] as RecipeSettings['lrSchedule'] | undefined,
      labelSmoothing: optionalNumber(values['label-smoothing']),
      augmentFlip: values['augment-flip'],
      augmentShiftPx: optionalNumber(values['augment-shift']),
      testTimeFlip: values.tta,
      keepBestWeights: values['keep-best'],
      earlyStoppingPatience: optionalNumber(values['early-stopping-patience']),
      weightDecay: optionalNumber(values['weight-decay']),
    }),
  };
  const params: TrainingParams = {
    ...DEFAULT_TRAINING_PARAMS,
    ...(preset ? preset.params : {}),
    ...defined({
      architectureId: values.architecture as TrainingParams['architectureId'] | undefined,
      epochs: optionalNumber(values.epochs),
      batchSize: optionalNumber(batchSizeText(values)),
      learningRate: optionalNumber(values.lr),
      optimizer: values.optimizer as TrainingParams['optimizer'] | undefined,
      validationFraction: optionalNumber(values.validation),
      seed: optionalNumber(values.seed),
    }),
    recipe,
  };
  const problems = findTrainingParamsProblems(params);
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return params;
}

function backendOf(text: string | undefined): BackendPreference | undefined {
  if (text === undefined || (BACKENDS as readonly string[]).includes(text)) {
    return text as BackendPreference | undefined;
  }
  throw new UsageError(`Unknown backend ${JSON.stringify(text)} (one of ${BACKENDS.join(', ')}).`);
}

/**
 * Reads the command line (the arguments after `npm run train --`). Relative paths are taken
 * from `cwd`: the folder the command was typed in (npm's INIT_CWD), not the project's.
 * Throws UsageError for anything wrong, with the sentence to show.
 */
export function parseCommandLine(args: string[], cwd: string): Command {
  let values: Values;
  try {
    values = parseFlags(args).values;
  } catch (error) {
    throw usageErrorOf(error);
  }
  if (values.help) return { kind: 'help' };
  const absolute = (path: string | undefined) =>
    path === undefined ? undefined : resolve(cwd, path);
  return {
    kind: 'train',
    params: trainingParamsOf(values),
    paths: (values.path ?? []).map((path) => resolve(cwd, path)),
    backend: backendOf(values.backend),
    outDir: absolute(values.out),
    resumeDir: absolute(values.resume),
    settingFlags: SETTING_FLAGS.filter((flag) => values[flag] !== undefined).map((f) => `--${f}`),
    exportFramework: exportFrameworkOf(values.export),
    monitorTest: values['monitor-test'] ?? false,
  };
}

const list = (ids: readonly { id: string }[]) => ids.map((item) => item.id).join(' | ');

/** `--help`: every flag, with the tab's defaults and bounds. */
export function helpText(): string {
  const d = DEFAULT_TRAINING_PARAMS;
  const b = TRAINING_PARAM_BOUNDS;
  const presets = RECIPE_PRESETS.map((p) => `${p.id} (${p.summary})`);
  return `Train a CNN on Fashion-MNIST with the app's own engine, in headless Chromium.

Usage: npm run train -- --path DIR [flags]
       npm run train -- --resume RUN_DIR

Data
  --path DIR|FILE        a folder holding fashion-mnist_train.csv and fashion-mnist_test.csv,
                         or the four IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte,
                         t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, gzipped or not), or
                         Kaggle's archive.zip; or the files themselves (repeat --path)

Training (defaults: the tab's)
  --architecture ID      ${list(ARCHITECTURES)}
                         (default ${d.architectureId})
  --epochs N             ${b.epochs.min}–${b.epochs.max} (default ${d.epochs})
  --batch-size N         also --batch_size; ${b.batchSize.min}–${b.batchSize.max} (default ${d.batchSize})
  --lr RATE              learning rate, above 0, at most ${b.learningRate.max} (default ${d.learningRate})
  --optimizer ID         ${list(OPTIMIZERS)} (default ${d.optimizer})
  --validation SHARE     share of the training file held out for validation, from its end,
                         0 to under ${b.validationFraction.below} (default ${d.validationFraction})
  --seed N               seed of initialisation, row order and dropout, ${b.seed.min}–${b.seed.max}
                         (default: one chosen at random; a training run prints it)

Recipe (defaults: the seed project's training)
  --recipe ID            ${presets.join('\n                         ')}
                         A preset sets epochs, batch size, learning rate, optimizer and the
                         flags below; flags given explicitly override it.
  --lr-schedule KIND     ${list(LR_SCHEDULES)} (the rate of --lr is its peak)
  --label-smoothing E    0–${b.labelSmoothing.max}
  --augment-flip         mirror training images at random (--no-augment-flip: off)
  --augment-shift PX     shift training images by up to PX pixels, 0–${b.augmentShiftPx.max}
  --tta                  also report the test accuracy of predictions averaged over each image
                         and its mirror (--no-tta: off)
  --keep-best            end with the weights of the epoch with the best validation accuracy
                         (--no-keep-best: off)
  --early-stopping-patience N
                         stop after N epochs without a better validation accuracy (0: never)
  --weight-decay L       decoupled weight decay, 0–${b.weightDecay.max}

Running
  --backend NAME         ${BACKENDS.join(' | ')} (default auto: WebGL on a hardware GPU, else WASM;
                         webgl also accepts a software renderer)
  --monitor-test         also evaluate the test set after every epoch (test_loss, test_accuracy
                         in the epoch lines and history.csv); it never steers training
  --out DIR              where the files go (default runs/<date>_<time>/ in the project)
  --resume DIR           continue the run stopped in DIR (its --out) from its last checkpoint,
                         with its own settings and data (--path and --backend may change)
  --export pytorch|keras write this run as a Python project into --out instead of training it:
                         PyTorch (DistributedDataParallel, torchrun) or Keras (tf.distribute),
                         the same architecture, settings and recipe; it ends by writing the
                         tab's model files
  --help                 this text

Files in --out: the model (<architecture>.json, .weights.bin, .metadata.json, the format of the
tab's Download), history.csv, metrics.json, loss.png, accuracy.png, confusion.png, and while a
run is unfinished checkpoint/.

Ctrl-C stops at the next batch boundary, keeps the last checkpoint (the run's starting point
until epoch 1 ends) and prints the command that continues it. Environment: CHROMIUM_PATH (default /usr/bin/chromium).
Exit status: 0 done, 1 training failed, 2 bad flags or data, 130 stopped.
`;
}
