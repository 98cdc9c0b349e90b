/** The runs table and the epoch table: a row per run or epoch, cells as the page words them. */
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { RunRecord } from '../../src/storage/run-store';
import type { EpochMetrics } from '../../src/training/run-types';
import { DEFAULT_TRAINING_PARAMS } from '../../src/training/training-params';
import { EpochTable } from '../../src/ui/training/epoch-table';
import { RunsPanel } from '../../src/ui/training/runs-panel';
import { RunsTable } from '../../src/ui/training/runs-table';
import type { RunHistory } from '../../src/ui/training/use-run-history';

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
  testAccuracyFlipAveraged: 0.9112,
  wallTimeMs: 125_000,
  backend: 'webgl',
  end: 'completed',
  history: [],
  finishedAt: '2026-01-02T03:04:05.000Z',
};

const STOPPED_RUN: RunRecord = {
  id: 2,
  architectureLabel: '1 · Conv64 → Pool4',
  parameterCount: 607_818,
  trainingParams: { ...DEFAULT_TRAINING_PARAMS, epochs: 5, batchSize: 32, optimizer: 'rmsprop' },
  epochsDone: 2,
  trainAccuracy: 0.8,
  valAccuracy: NaN,
  testAccuracy: 0.95,
  wallTimeMs: 12_340,
  backend: 'wasm (main thread)',
  end: 'stopped',
  history: [],
  finishedAt: '2026-01-02T03:05:05.000Z',
};

const HEADERS = [
  'Run',
  'Model',
  'Parameters',
  'Train acc.',
  'Val. acc.',
  'Test acc.',
  'Test acc. (flip avg.)',
  'Epochs',
  'Time',
  'Backend',
  'Recipe',
  'Settings',
];

/** The visible text of each column header. */
const headers = (table: HTMLElement) =>
  within(table)
    .getAllByRole('columnheader')
    .map((th) => th.textContent?.replace(/ [▲▼]$/, ''));

describe('RunsTable', () => {
  test('shows nothing before the first run', () => {
    const { container } = render(<RunsTable runs={[]} />);
    expect(container.childElementCount).toBe(0);
  });

  test('has a row per run in the seed project’s columns', () => {
    render(<RunsTable runs={[COMPLETED_RUN, STOPPED_RUN]} />);
    const table = screen.getByRole('table', { name: 'Runs' });
    expect(headers(table)).toEqual([...HEADERS, 'Export']);
    expect(bodyCells(table).map((cells) => cells.slice(0, HEADERS.length))).toEqual([
      [
        '1',
        '6 · Seed CNN',
        '484,302',
        '93.46%',
        '91.23%',
        '90.87%',
        '91.12%',
        '10',
        '2 min 05 s',
        'webgl',
        'Seed',
        'batch 64 · lr 0.001 · Adam',
      ],
      [
        '2',
        '1 · Conv64 → Pool4',
        '607,818',
        '80.00%',
        '–',
        '95.00%',
        '–',
        '2 of 5 (stopped)',
        '12.3 s',
        'wasm (main thread)',
        'Keras defaults',
        'batch 32 · lr 0.001 · RMSprop',
      ],
    ]);
  });

  test('sorts by any column, both ways, and says so with aria-sort', async () => {
    const user = userEvent.setup();
    render(<RunsTable runs={[COMPLETED_RUN, STOPPED_RUN]} />);
    const table = screen.getByRole('table', { name: 'Runs' });
    const firstColumn = () => bodyCells(table).map((cells) => cells[0]);
    const header = (name: string) => within(table).getByRole('columnheader', { name });
    expect(header('Run').getAttribute('aria-sort')).toBe('ascending');

    await user.click(within(table).getByRole('button', { name: 'Test acc.' }));
    expect(firstColumn()).toEqual(['1', '2']);
    expect(header('Test acc.').getAttribute('aria-sort')).toBe('ascending');
    expect(header('Run').hasAttribute('aria-sort')).toBe(false);
    await user.click(within(table).getByRole('button', { name: 'Test acc.' }));
    expect(firstColumn()).toEqual(['2', '1']);
    expect(header('Test acc.').getAttribute('aria-sort')).toBe('descending');

    // A missing value (no validation split) goes last whichever way the column is sorted.
    await user.click(within(table).getByRole('button', { name: 'Val. acc.' }));
    expect(firstColumn()).toEqual(['1', '2']);
    await user.click(within(table).getByRole('button', { name: 'Val. acc.' }));
    expect(firstColumn()).toEqual(['1', '2']);

    await user.click(within(table).getByRole('button', { name: 'Parameters' }));
    expect(firstColumn()).toEqual(['1', '2']);
    await user.click(within(table).getByRole('button', { name: 'Model' }));
    expect(firstColumn()).toEqual(['2', '1']);
  });
});

/** A RunHistory over fixed runs that records what was removed. */
function fixedHistory(runs: RunRecord[]): RunHistory & { removed: number[] } {
  const removed: number[] = [];
  return { runs, add: (run) => run.id, remove: (id) => removed.push(id), problem: null, removed };
}

describe('RunsPanel', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  test('copies the table as Markdown, cells as shown, numbers aligned right', async () => {
    const user = userEvent.setup();
    render(<RunsPanel history={fixedHistory([COMPLETED_RUN, STOPPED_RUN])} />);
    await user.click(screen.getByRole('button', { name: 'Copy as Markdown' }));
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toBe('Copied 2 runs as a Markdown table.'),
    );
    const lines = (await navigator.clipboard.readText()).trimEnd().split('\n');
    expect(lines[0]).toBe(`| ${HEADERS.join(' | ')} |`);
    expect(lines[1]).toBe(
      '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |',
    );
    expect(lines[3]).toBe(
      '| 2 | 1 · Conv64 → Pool4 | 607,818 | 80.00% | – | 95.00% | – | 2 of 5 (stopped) | 12.3 s | wasm (main thread) | Keras defaults | batch 32 · lr 0.001 · RMSprop |',
    );
    expect(lines).toHaveLength(4);
  });

  test('downloads the runs as CSV with raw values', async () => {
    const saved: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      saved.push(blob as Blob);
      return 'blob:runs';
    });
    const names: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      names.push(this.download);
    });
    render(<RunsPanel history={fixedHistory([COMPLETED_RUN, STOPPED_RUN])} />);
    await userEvent.click(screen.getByRole('button', { name: 'Download CSV' }));
    expect(names).toEqual(['runs.csv']);
    const [header, first, second] = (await saved[0].text()).trimEnd().split('\n');
    expect(header.split(',').slice(0, 10)).toEqual([
      'run',
      'model',
      'architecture',
      'parameters',
      'train_accuracy',
      'val_accuracy',
      'test_accuracy',
      'test_accuracy_flip_averaged',
      'epochs',
      'epochs_planned',
    ]);
    expect(first.split(',').slice(0, 10)).toEqual([
      '1',
      '6 · Seed CNN',
      'seed-cnn',
      '484302',
      '0.93456',
      '0.91234',
      '0.9087',
      '0.9112',
      '10',
      '10',
    ]);
    // No validation split: an empty cell, not "NaN".
    expect(second.split(',')[5]).toBe('');
  });

  test('ticking runs draws no chart until two are picked; Delete asks first', async () => {
    const user = userEvent.setup();
    const history = fixedHistory([COMPLETED_RUN, STOPPED_RUN]);
    render(<RunsPanel history={history} />);
    expect(screen.getByText(/Tick two or more runs/)).toBeTruthy();
    await user.click(screen.getByRole('checkbox', { name: 'Compare run 1' }));
    expect(screen.getByText(/Tick two or more runs/)).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Delete run 2' }));
    expect(history.removed).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Yes, delete' }));
    expect(history.removed).toEqual([2]);
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
