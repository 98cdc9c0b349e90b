/**
 * The exported PyTorch run with a whole recipe switched on (flips and shifts, one-cycle or
 * cosine, label smoothing, weight decay, best weights, early stopping, flip averaging; RMSprop
 * and SGD with momentum) trains on real rows and keeps the tab's rules: each epoch's learning
 * rate is the tab's schedule at its first step, it stops and keeps the epoch the tab would, and
 * its files say so.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { learningRateAt, type LrScheduleKind } from '../../../src/training/lr-schedule';
import { DEFAULT_TRAINING_PARAMS } from '../../../src/training/training-params';
import { writeExportedProject } from '../../support/exported-project';
import { csvFixture, FIXTURES_DIR } from '../../support/fixtures';
import { findPython, runPython } from '../../support/python';

/** 80 training rows (the small fixture less its last 20 %), batch 16: 5 steps an epoch. */
const TRAINING_ROWS = 80;
const BATCH_SIZE = 16;

let python: string;
const dirs: string[] = [];

beforeAll(() => {
  python = findPython(['numpy', 'torch']);
  csvFixture('small');
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Recipe {
  architectureId: 'seed-cnn' | 'conv1';
  optimizer: string;
  schedule: LrScheduleKind;
  learningRate: number;
  epochs: number;
  patience: number;
}

const RECIPES: Recipe[] = [
  {
    architectureId: 'seed-cnn',
    optimizer: 'rmsprop',
    schedule: 'one-cycle',
    learningRate: 0.003,
    epochs: 4,
    patience: 1,
  },
  {
    architectureId: 'conv1',
    optimizer: 'sgd-momentum',
    schedule: 'cosine',
    learningRate: 0.05,
    epochs: 3,
    patience: 0,
  },
];

async function runRecipe(recipe: Recipe) {
  const dir = writeExportedProject({
    params: { ...DEFAULT_TRAINING_PARAMS, architectureId: recipe.architectureId, seed: 4 },
    framework: 'pytorch',
  });
  dirs.push(dir);
  const flags = [
    ['--epochs', recipe.epochs],
    ['--batch-size', BATCH_SIZE],
    ['--lr', recipe.learningRate],
    ['--optimizer', recipe.optimizer],
    ['--lr-schedule', recipe.schedule],
    ['--label-smoothing', 0.1],
    ['--augment-shift', 2],
    ['--early-stopping-patience', recipe.patience],
    ['--weight-decay', 0.01],
  ].flatMap(([flag, value]) => [String(flag), String(value)]);
  const run = await runPython(
    python,
    [
      'train.py',
      '--path',
      join(FIXTURES_DIR, 'small'),
      ...flags,
      '--augment-flip',
      '--tta',
      '--keep-best',
      '--out',
      'out',
    ],
    { cwd: dir },
  );
  return { dir, run };
}

test('a full recipe trains with the tab’s schedule, best epoch and early stopping', async () => {
  const results = await Promise.all(RECIPES.map(runRecipe));
  results.forEach(({ dir, run }, i) => {
    const recipe = RECIPES[i];
    expect(run.status, run.stderr).toBe(0);
    const metadata = JSON.parse(
      readFileSync(join(dir, 'out', `${recipe.architectureId}.metadata.json`), 'utf8'),
    );
    const history = metadata.history as {
      epoch: number;
      valAccuracy: number;
      learningRate: number;
      loss: number;
    }[];
    const steps = TRAINING_ROWS / BATCH_SIZE;
    const shape = {
      kind: recipe.schedule,
      learningRate: recipe.learningRate,
      epochs: recipe.epochs,
      stepsPerEpoch: steps,
    };
    // Python's and V8's cosines may differ in the last bit.
    for (const m of history)
      expect(m.learningRate).toBeCloseTo(learningRateAt(shape, m.epoch * steps), 15);
    expect(history.every((m) => Number.isFinite(m.loss))).toBe(true);

    // The kept epoch is the first with the best validation accuracy.
    const accuracies = history.map((m) => m.valAccuracy);
    const best = accuracies.indexOf(Math.max(...accuracies));
    expect(run.stdout).toContain(
      `kept the weights of epoch ${best + 1} (best validation accuracy)`,
    );
    // It stopped early exactly when `patience` epochs had passed without a better one.
    const last = history.length - 1;
    const stoppedEarly = history.length < recipe.epochs;
    expect(stoppedEarly).toBe(
      recipe.patience > 0 && last - best >= recipe.patience && last < recipe.epochs - 1,
    );
    if (stoppedEarly) expect(run.stdout).toContain('stopping early');
    expect(run.stdout).toMatch(/^test accuracy with flip averaging \d+\.\d\d %$/m);
    expect(metadata.trainingParams.recipe).toEqual({
      lrSchedule: recipe.schedule,
      labelSmoothing: 0.1,
      augmentFlip: true,
      augmentShiftPx: 2,
      testTimeFlip: true,
      keepBestWeights: true,
      earlyStoppingPatience: recipe.patience,
      weightDecay: 0.01,
    });
    expect(
      readFileSync(join(dir, 'out', 'history.csv'), 'utf8')
        .trimEnd()
        .split('\n'),
    ).toHaveLength(history.length + 1);
  });
});
