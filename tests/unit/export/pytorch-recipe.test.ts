/**
 * The exported PyTorch run with a whole recipe switched on (flips and shifts, one-cycle or
 * cosine, label smoothing, weight decay, best weights, early stopping, flip averaging; RMSprop
 * and SGD with momentum) trains on real rows and keeps the tab's rules: each epoch's learning
 * rate is the tab's schedule at its first step, it stops and keeps the epoch the tab would, and
 * its files say so: the metadata's accuracies are the kept epoch's, as the tab's are.
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
      accuracy: number;
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
    // The model holds the kept epoch's weights, so the metadata carries that epoch's
    // accuracies (launch-run.ts's rule) and records the epoch as the tab's run result does: a
    // 0-based keptEpoch, with epochsCompleted counting every epoch trained.
    expect(metadata.keptEpoch).toBe(best);
    expect(metadata.validationAccuracy).toBe(history[best].valAccuracy);
    expect(metadata.trainingAccuracy).toBe(history[best].accuracy);
    expect(metadata.epochsCompleted).toBe(history.length);
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

test('the metadata of a model with the best weights has the kept epoch’s accuracies', async () => {
  // A history whose best epoch (index 1) is neither the first nor the last and differs from
  // the last in both accuracies, which a run on 20 validation rows cannot promise.
  const history = [
    { epoch: 0, loss: 1.2, accuracy: 0.6, valLoss: 1.1, valAccuracy: 0.65 },
    { epoch: 1, loss: 0.8, accuracy: 0.75, valLoss: 0.9, valAccuracy: 0.8 },
    { epoch: 2, loss: 0.5, accuracy: 0.9, valLoss: 1.0, valAccuracy: 0.7 },
  ];
  const dir = writeExportedProject({ params: DEFAULT_TRAINING_PARAMS, framework: 'pytorch' });
  dirs.push(dir);
  const script = `import json, sys
import tab_compat as tab
history = json.load(sys.stdin)
params = {"architectureId": "seed-cnn"}
print(json.dumps([tab.model_metadata("seed-cnn", params, history, 0.7, "m", "test", kept)
                  for kept in (1, None)]))`;
  const run = await runPython(python, ['-c', script], { cwd: dir, input: JSON.stringify(history) });
  expect(run.stderr).toBe('');
  const [kept, last] = JSON.parse(run.stdout);
  expect(kept).toMatchObject({
    keptEpoch: 1,
    epochsCompleted: 3,
    trainingAccuracy: 0.75,
    validationAccuracy: 0.8,
    testAccuracy: 0.7,
  });
  expect(last).toMatchObject({
    epochsCompleted: 3,
    trainingAccuracy: 0.9,
    validationAccuracy: 0.7,
  });
  expect(last).not.toHaveProperty('keptEpoch');
});
