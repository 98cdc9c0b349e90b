/** The runs table and the epoch table: a row per run or epoch, cells as the page words them. */
import { render, screen, within } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import type { EpochMetrics } from '../../src/training/run-types';
import { DEFAULT_TRAINING_PARAMS } from '../../src/training/training-params';
import { EpochTable } from '../../src/ui/training/epoch-table';
import { RunsTable } from '../../src/ui/training/runs-table';
import type { RunRecord } from '../../src/ui/training/training-state';

/** The text of each cell of each body row of `table`. */
function bodyCells(table: HTMLElement): string[][] {
  const [, ...bodyRows] = within(table).getAllByRole('row');
  return bodyRows.map((row) =>
    within(row)
      .getAllByRole('cell')
      .map((cell) => cell.textContent),
  );
}

const COMPLETED_RUN: RunRecord = {
  id: 1,
  architectureLabel: '6 · Seed CNN',
  parameterCount: 484302,
  trainingParams: DEFAULT_TRAINING_PARAMS,
  epochsDone: 10,
  trainAccuracy: 0.93456,
  valAccuracy: 0.91234,
  testAccuracy: 0.9087,
  wallTimeMs: 125_000,
  backend: 'webgl',
  end: 'completed',
};

const STOPPED_RUN: RunRecord = {
  id: 2,
  architectureLabel: '1 · Conv64 → Pool4',
  parameterCount: 110666,
  trainingParams: { ...DEFAULT_TRAINING_PARAMS, epochs: 5, batchSize: 32, optimizer: 'rmsprop' },
  epochsDone: 2,
  trainAccuracy: 0.8,
  valAccuracy: NaN,
  testAccuracy: NaN,
  wallTimeMs: 12_340,
  backend: 'wasm (main thread)',
  end: 'stopped',
};

describe('RunsTable', () => {
  test('shows nothing before the first run', () => {
    const { container } = render(<RunsTable runs={[]} />);
    expect(container.childElementCount).toBe(0);
  });

  test('has a row per run in the seed project’s columns', () => {
    render(<RunsTable runs={[COMPLETED_RUN, STOPPED_RUN]} />);
    const table = screen.getByRole('table', { name: 'Runs' });
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((th) => th.textContent),
    ).toEqual([
      'Architecture',
      'Parameters',
      'Epochs',
      'Batch size',
      'Learning rate',
      'Optimizer',
      'Recipe',
      'Train acc.',
      'Val. acc.',
      'Test acc.',
      'Wall time',
      'Backend',
    ]);
    expect(bodyCells(table)).toEqual([
      [
        '6 · Seed CNN',
        '484,302',
        '10',
        '64',
        '0.001',
        'Adam',
        'Seed',
        '93.46%',
        '91.23%',
        '90.87%',
        '2 min 05 s',
        'webgl',
      ],
      [
        '1 · Conv64 → Pool4',
        '110,666',
        '2 of 5 (stopped)',
        '32',
        '0.001',
        'RMSprop',
        'Keras defaults',
        '80.00%',
        '–',
        '–',
        '12.3 s',
        'wasm (main thread)',
      ],
    ]);
  });
});

const epoch = (index: number, valLoss = 0.4 - index * 0.05): EpochMetrics => ({
  epoch: index,
  loss: 0.5 - index * 0.1,
  accuracy: 0.8 + index * 0.05,
  valLoss,
  valAccuracy: Number.isNaN(valLoss) ? NaN : 0.82 + index * 0.04,
  elapsedMs: (index + 1) * 61_000,
  learningRate: 0.001,
});

describe('EpochTable', () => {
  test('shows nothing before the first epoch', () => {
    const { container } = render(<EpochTable epochs={[]} />);
    expect(container.childElementCount).toBe(0);
  });

  test('has a row per epoch, numbered from 1', () => {
    render(<EpochTable epochs={[epoch(0), epoch(1)]} />);
    expect(bodyCells(screen.getByRole('table', { name: 'Epoch history' }))).toEqual([
      ['1', '0.5000', '80.00%', '0.4000', '82.00%', '1.0e-3', '1 min 01 s'],
      ['2', '0.4000', '85.00%', '0.3500', '86.00%', '1.0e-3', '2 min 02 s'],
    ]);
  });

  test('marks the epochs a resumed run brought from its checkpoint', () => {
    render(<EpochTable epochs={[epoch(0), epoch(1), epoch(2)]} resumedAtEpoch={2} />);
    const firstColumn = bodyCells(screen.getByRole('table', { name: 'Epoch history' })).map(
      (cells) => cells[0],
    );
    expect(firstColumn).toEqual(['1 (checkpoint)', '2 (checkpoint)', '3']);
  });

  test('without validation the validation cells show a dash', () => {
    render(<EpochTable epochs={[epoch(0, NaN)]} />);
    const [cells] = bodyCells(screen.getByRole('table', { name: 'Epoch history' }));
    expect([cells[3], cells[4]]).toEqual(['–', '–']);
  });
});
