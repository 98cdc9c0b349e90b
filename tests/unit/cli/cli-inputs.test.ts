/**
 * What `npm run train` decides before any browser starts: settings from flags (the tab's
 * defaults, the recipe presets, the app's validator), the dataset files of a --path, and the
 * checkpoint it keeps on disk and reads back for --resume.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { EncodedCheckpoint } from '../../../src/app/cli-host-protocol';
import {
  DEFAULT_TRAINING_PARAMS,
  getRecipePreset,
  SEED_RECIPE,
} from '../../../src/training/training-params';
import { readCheckpointFiles, writeCheckpointFiles } from '../../../cli/checkpoint-files';
import { findDatasetFiles } from '../../../cli/dataset-files';
import { parseCommandLine, type TrainCommand } from '../../../cli/options';
import { formatEpochLine } from '../../../cli/terminal';
import { UsageError } from '../../../cli/usage-error';
import { csvFixture, idxFile } from '../../support/fixtures';

const CWD = '/home/someone/work';
const parse = (...args: string[]) => parseCommandLine(args, CWD) as TrainCommand;
const refusal = (action: () => unknown): string => {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('flags → training settings', () => {
  test("no flags: the tab's defaults and the seed recipe; paths from where the command was typed", () => {
    const command = parse('--path', 'data');
    expect(command.params).toEqual({ ...DEFAULT_TRAINING_PARAMS, recipe: SEED_RECIPE });
    expect(command.paths).toEqual(['/home/someone/work/data']);
    expect(command.settingFlags).toEqual([]);
    expect(command.backend).toBeUndefined();
  });

  test('a preset, then the flags given over it; --batch_size as --batch-size', () => {
    const best = getRecipePreset('best').params;
    const command = parse('--recipe', 'best', '--epochs', '5', '--batch_size', '32', '--no-tta');
    expect(command.params).toEqual({
      ...DEFAULT_TRAINING_PARAMS,
      ...best,
      epochs: 5,
      batchSize: 32,
      recipe: { ...best.recipe, testTimeFlip: false },
    });
    expect(command.settingFlags).toEqual(['--epochs', '--batch_size', '--recipe', '--tta']);
  });

  test("every recipe field has its flag; values are the validator's to judge", () => {
    const { params } = parse(
      ...['--lr-schedule', 'cosine', '--label-smoothing', '0.1', '--augment-flip'],
      ...['--augment-shift', '2', '--tta', '--keep-best', '--early-stopping-patience', '3'],
      ...['--weight-decay', '0.01', '--seed', '42', '--validation', '0', '--lr', '3e-3'],
      ...['--optimizer', 'rmsprop', '--architecture', 'conv2'],
    );
    expect(params).toMatchObject({ seed: 42, validationFraction: 0, learningRate: 0.003 });
    expect(params).toMatchObject({ optimizer: 'rmsprop', architectureId: 'conv2' });
    expect(params.recipe).toEqual({
      lrSchedule: 'cosine',
      labelSmoothing: 0.1,
      augmentFlip: true,
      augmentShiftPx: 2,
      testTimeFlip: true,
      keepBestWeights: true,
      earlyStoppingPatience: 3,
      weightDecay: 0.01,
    });
  });

  test('--monitor-test watches the test set without being a training setting', () => {
    expect(parse('--path', 'data').monitorTest).toBe(false);
    const command = parse('--resume', 'run', '--monitor-test');
    expect(command.monitorTest).toBe(true);
    // Not a setting: allowed beside --resume, which refuses settings.
    expect(command.settingFlags).toEqual([]);
  });

  test('an epoch line shows the test metrics of a run that monitors them', () => {
    const epoch = { epoch: 2, loss: 0.312, accuracy: 0.887, valLoss: 0.295, valAccuracy: 0.8931 };
    const metrics = { ...epoch, elapsedMs: 0 };
    expect(formatEpochLine(metrics, 10, 262.4)).toBe(
      'Epoch 3/10 · 262 s · loss 0.3120 · accuracy 0.8870 · val_loss 0.2950 · val_accuracy 0.8931',
    );
    expect(formatEpochLine({ ...metrics, testLoss: 0.3, testAccuracy: 0.9012 }, 10, 262)).toBe(
      'Epoch 3/10 · 262 s · loss 0.3120 · accuracy 0.8870 · val_loss 0.2950 · val_accuracy 0.8931' +
        ' · test_loss 0.3000 · test_accuracy 0.9012',
    );
  });

  test("bad values get the validator's sentences, one per line; bad flags one line each", () => {
    expect(refusal(() => parse('--epochs', '', '--lr', '0x10', '--augment-shift', '9'))).toBe(
      [
        'The number of epochs must be a whole number from 0 to 1000.',
        'Learning rate must be a number above 0 and at most 10.',
        'Random shift must be a whole number of pixels from 0 to 4.',
      ].join('\n'),
    );
    expect(refusal(() => parse('--lr-schedule', 'linear'))).toBe(
      'Unknown learning-rate schedule "linear" (one of constant, step, cosine, one-cycle).',
    );
    expect(refusal(() => parse('--backend', 'gpu'))).toBe(
      'Unknown backend "gpu" (one of auto, webgl, wasm, cpu).',
    );
    expect(refusal(() => parse('--epoch', '3'))).toBe(
      'Unknown flag --epoch (npm run train -- --help lists them).',
    );
    expect(refusal(() => parse('--batch-size', '8', '--batch_size', '16'))).toBe(
      '--batch-size and --batch_size are one flag: give it once.',
    );
  });
});

describe('--path → the dataset files', () => {
  const subset = csvFixture('subset');
  const subsetDir = join(subset.trainCsv, '..');

  test('a folder with the Kaggle CSVs, the same files named one by one, a folder of IDX files', () => {
    expect(findDatasetFiles([subsetDir])).toEqual({
      files: [subset.trainCsv, subset.testCsv],
      sources: [
        { split: 'train', kind: 'csv', file: 0 },
        { split: 'test', kind: 'csv', file: 1 },
      ],
    });
    expect(findDatasetFiles([subset.testCsv, subset.trainCsv]).files).toEqual([
      subset.trainCsv,
      subset.testCsv,
    ]);
    const idxDir = join(idxFile('train-images-idx3-ubyte.gz'), '..');
    const idx = findDatasetFiles([idxDir]);
    expect(idx.sources).toEqual([
      { split: 'train', kind: 'idx', images: 0, labels: 1 },
      { split: 'test', kind: 'idx', images: 2, labels: 3 },
    ]);
    expect(idx.files.map((path) => path.slice(idxDir.length + 1))).toEqual([
      'train-images-idx3-ubyte.gz',
      'train-labels-idx1-ubyte.gz',
      't10k-images-idx3-ubyte.gz',
      't10k-labels-idx1-ubyte.gz',
    ]);
  });

  test("Kaggle's archive.zip, given or alone in a folder, is the whole dataset; beside other files it is refused", () => {
    const folder = mkdtempSync(join(tmpdir(), 'fms-archive-'));
    const archive = join(folder, 'archive.zip');
    // The name decides here; the host page reads and checks the contents (browser test).
    writeFileSync(archive, readFileSync(subset.trainCsv).subarray(0, 64));
    const whole = { files: [archive], sources: [{ kind: 'archive', file: 0 }] };
    expect(findDatasetFiles([archive])).toEqual(whole);
    expect(findDatasetFiles([folder])).toEqual(whole);
    copyFileSync(subset.trainCsv, join(folder, 'fashion-mnist_train.csv'));
    expect(refusal(() => findDatasetFiles([folder]))).toMatch(
      /^More than one dataset in .*fms-archive-\w+ \((archive\.zip, fashion-mnist_train\.csv|fashion-mnist_train\.csv, archive\.zip)\): give the archive or the files to use with --path\.$/,
    );
    expect(refusal(() => findDatasetFiles([archive, subset.testCsv]))).toBe(
      `More than one dataset in ${archive}, ${subset.testCsv} (archive.zip, fashion-mnist_test.csv): give the archive or the files to use with --path.`,
    );
  });

  test('a missing split, a lone IDX half or two sets of one split are named, not guessed', () => {
    expect(refusal(() => findDatasetFiles([subset.trainCsv]))).toBe(
      `No test set in ${subset.trainCsv}: expected fashion-mnist_test.csv, or ` +
        't10k-images-idx3-ubyte and t10k-labels-idx1-ubyte.',
    );
    const images = idxFile('t10k-images-idx3-ubyte.gz');
    expect(refusal(() => findDatasetFiles([subset.trainCsv, images]))).toBe(
      `${images} has no IDX labels file of the test set beside it.`,
    );
    const doubled = mkdtempSync(join(tmpdir(), 'fms-two-sets-'));
    copyFileSync(subset.trainCsv, join(doubled, 'fashion-mnist_train.csv'));
    copyFileSync(subset.trainCsv, join(doubled, 'train-copy.csv'));
    copyFileSync(subset.testCsv, join(doubled, 'fashion-mnist_test.csv'));
    expect(refusal(() => findDatasetFiles([doubled]))).toMatch(
      /^More than one training set in .* \((fashion-mnist_train\.csv, train-copy\.csv|train-copy\.csv, fashion-mnist_train\.csv)\): give the files to use with --path\.$/,
    );
  });
});

describe('the checkpoint in --out/checkpoint/', () => {
  const bytes = (values: number[]) =>
    Buffer.from(new Float32Array(values).buffer).toString('base64');
  /** A checkpoint of a two-weight model after `epoch` epochs, as the page sends it. */
  const checkpointAt = (epoch: number, best = false): EncodedCheckpoint => ({
    runId: 'run-1',
    epoch,
    params: { ...DEFAULT_TRAINING_PARAMS, epochs: 5, seed: 3 },
    history: Array.from({ length: epoch }, (_, e) => ({
      epoch: e,
      loss: 1 / (e + 1),
      accuracy: 0.5,
      valLoss: Number.NaN,
      valAccuracy: Number.NaN,
      elapsedMs: 1000 * (e + 1),
      learningRate: 0.001,
    })),
    model: {
      modelTopology: { class_name: 'Sequential' },
      weightSpecs: [
        { name: 'dense/kernel', shape: [2, 1], dtype: 'float32' },
        { name: 'dense/bias', shape: [1], dtype: 'float32' },
      ],
      weightData: bytes([epoch, 2, 3]),
    },
    optimizerState: [
      {
        name: 'iter',
        shape: [],
        dtype: 'int32',
        data: Buffer.from(new Int32Array([epoch * 25]).buffer).toString('base64'),
      },
      { name: 'dense/kernel/m', shape: [2, 1], dtype: 'float32', data: bytes([0.25, epoch]) },
    ],
    elapsedMs: 1000 * epoch,
    shuffleSeed: 3,
    datasetKey: 'train:2000:0000abcd|test:2000:0000ef01',
    ...(best
      ? { best: { epoch: epoch - 1, valAccuracy: 0.75, weightData: bytes([9, 9, 9]) } }
      : {}),
  });
  const invocation = {
    dataFiles: ['/data/a_train.csv', '/data/a_test.csv'],
    backend: 'wasm' as const,
  };

  test('reads back what was written; a newer epoch replaces the older files', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fms-checkpoint-'));
    await writeCheckpointFiles(out, checkpointAt(1), invocation);
    await writeCheckpointFiles(out, checkpointAt(2, true), invocation);
    expect(readdirSync(join(out, 'checkpoint')).sort()).toEqual([
      'best-weights-epoch-2.bin',
      'checkpoint.json',
      'optimizer-epoch-2.bin',
      'weights-epoch-2.bin',
    ]);
    const read = readCheckpointFiles(out);
    expect(read.invocation).toEqual(invocation);
    // NaN (no validation split) too, which JSON alone would turn into null.
    expect(read.checkpoint).toEqual(checkpointAt(2, true));
  });

  test("the run's starting point (epoch 0, no history) and --monitor-test are kept too", async () => {
    const out = mkdtempSync(join(tmpdir(), 'fms-checkpoint-start-'));
    const start = {
      ...checkpointAt(0),
      optimizerState: checkpointAt(0).optimizerState.slice(0, 1),
    };
    const monitored = { ...invocation, monitorTest: true };
    await writeCheckpointFiles(out, start, monitored);
    expect(readdirSync(join(out, 'checkpoint')).sort()).toEqual([
      'checkpoint.json',
      'optimizer-epoch-0.bin',
      'weights-epoch-0.bin',
    ]);
    const read = readCheckpointFiles(out);
    expect(read.invocation).toEqual(monitored);
    expect(read.checkpoint).toEqual(start);
  });

  test('damaged or foreign files are refused with what is wrong', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fms-checkpoint-bad-'));
    await writeCheckpointFiles(out, checkpointAt(1), invocation);
    const dir = join(out, 'checkpoint');
    writeFileSync(join(dir, 'weights-epoch-1.bin'), Buffer.alloc(8));
    expect(refusal(() => readCheckpointFiles(out))).toBe(
      `The checkpoint in ${dir} cannot be resumed: weights-epoch-1.bin does not hold the weights its specs describe.`,
    );
    const json = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
    writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify({ ...json, version: 99 }));
    expect(refusal(() => readCheckpointFiles(out))).toBe(
      `The checkpoint in ${dir} cannot be resumed: it is not a version 1 checkpoint of this command.`,
    );
  });
});
