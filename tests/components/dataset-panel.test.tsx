/**
 * The Data section: files in (real Fashion-MNIST rows, read on this thread as the page does
 * when it has no worker), what it says about each split, rejected files, the split question
 * and the keep-in-browser setting.
 */
import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { readFileSync } from 'node:fs';
import { describe, expect, test, vi } from 'vitest';
import { idxFile, realCsvText } from '../support/fixtures';
import {
  datasetReducer,
  INITIAL_DATASET_STATE,
  type DatasetAction,
} from '../../src/ui/dataset/dataset-state';
import { DatasetPanel } from '../../src/ui/dataset/dataset-panel';
import type { KeptDatasetStatus } from '../../src/ui/dataset/dataset-keeper';
import { useDataset, type DatasetController } from '../../src/ui/dataset/use-dataset';
import type { KeptDataset } from '../../src/ui/dataset/use-kept-dataset';
import { realLoadedSplit } from './real-splits';

/** The panel on the page's own dataset hook, without browser storage. */
function DataSection() {
  return <DatasetPanel controller={useDataset()} />;
}

const csvFile = (name: string, text: string) => new File([text], name, { type: 'text/csv' });

/** The first 100 real training rows with field `field` of file line `line` replaced. */
function csvWithField(line: number, field: number, value: string): string {
  const lines = realCsvText(100).split('\n');
  const fields = lines[line - 1].split(',');
  fields[field] = value;
  lines[line - 1] = fields.join(',');
  return lines.join('\n');
}

/** A panel for a given state, its callbacks spies. */
function renderWithState(actions: DatasetAction[], kept?: KeptDataset) {
  const controller: DatasetController = {
    state: actions.reduce(datasetReducer, INITIAL_DATASET_STATE),
    addFiles: vi.fn(),
    chooseSplit: vi.fn(),
    chooseSource: vi.fn(),
    restore: vi.fn(),
  };
  render(<DatasetPanel controller={controller} kept={kept} />);
  return controller;
}

const dataPanel = () => screen.getByRole('region', { name: '1 · Data' });

describe('DatasetPanel with real files', () => {
  test('counts each split it reads and names the files and the parser', async () => {
    render(<DataSection />);
    expect(screen.getByText('Training set: not loaded')).toBeTruthy();
    await userEvent
      .setup()
      .upload(screen.getByLabelText('Dataset files'), [
        csvFile('fashion-mnist_train.csv', realCsvText(100)),
        csvFile('fashion-mnist_test.csv', realCsvText(40, 'test')),
      ]);
    expect(await screen.findByText('Training set: 100 images')).toBeTruthy();
    expect(await screen.findByText('Test set: 40 images')).toBeTruthy();
    expect(screen.getByTestId('train-summary').textContent).toMatch(
      /^Training set: 100 images from fashion-mnist_train\.csv · fast CSV parser · [\d.]+ s$/,
    );
  });

  test('a bad row is an alert with file, line and column, and the loaded split stays', async () => {
    render(<DataSection />);
    const user = userEvent.setup();
    await user.upload(screen.getByLabelText('Dataset files'), [
      csvFile('fashion-mnist_train.csv', realCsvText(100)),
    ]);
    await screen.findByText('Training set: 100 images');
    await user.upload(screen.getByLabelText('Dataset files'), [
      csvFile('fashion-mnist_train.csv', csvWithField(3, 100, '300')),
    ]);
    const alert = await within(dataPanel()).findByRole('alert');
    expect(alert.textContent).toBe(
      'fashion-mnist_train.csv, line 3, column pixel100: expected an integer from 0 to 255, found "300".',
    );
    expect(screen.getByText('Training set: 100 images')).toBeTruthy();
  });

  test('a file that is not Fashion-MNIST is turned away by name', () => {
    render(<DataSection />);
    fireEvent.drop(screen.getByTestId('drop-zone'), {
      dataTransfer: { files: [new File(['not a csv'], 'photo.png', { type: 'image/png' })] },
    });
    expect(within(dataPanel()).getByRole('alert').textContent).toBe(
      'photo.png: not a Fashion-MNIST file. Expected a CSV (.csv) with the header label,pixel1,…,pixel784, or an IDX file named like train-images-idx3-ubyte[.gz].',
    );
  });

  test('a file whose name names no split is loaded as the split the person picks', async () => {
    render(<DataSection />);
    const user = userEvent.setup();
    await user.upload(screen.getByLabelText('Dataset files'), [
      csvFile('my-data.csv', realCsvText(100)),
    ]);
    const question = screen.getByRole('group', { name: 'Which split is my-data.csv?' });
    await user.click(within(question).getByRole('button', { name: 'Use my-data.csv as test set' }));
    expect(await screen.findByText('Test set: 100 images')).toBeTruthy();
    expect(screen.queryByRole('group', { name: 'Which split is my-data.csv?' })).toBeNull();
    expect(screen.getByText('Training set: not loaded')).toBeTruthy();
  });

  test('an IDX file waits, and says so, until its other half arrives', async () => {
    render(<DataSection />);
    const images = readFileSync(idxFile('train-images-idx3-ubyte.gz'));
    await userEvent
      .setup()
      .upload(screen.getByLabelText('Dataset files'), [
        new File([images], 'train-images-idx3-ubyte.gz'),
      ]);
    expect(within(dataPanel()).getByRole('status').textContent).toBe(
      'train-images-idx3-ubyte.gz is waiting for its labels file (train-labels-idx1-ubyte).',
    );
    expect(screen.getByText('Training set: not loaded')).toBeTruthy();
  });
});

describe('DatasetPanel for a given state', () => {
  test('each "Use … as" button chooses that split for that file', async () => {
    const controller = renderWithState([
      { type: 'needs-split', id: 'load-1', file: new File([''], 'a.csv') },
      { type: 'needs-split', id: 'load-2', file: new File([''], 'b.csv') },
    ]);
    const user = userEvent.setup();
    const questionB = screen.getByRole('group', { name: 'Which split is b.csv?' });
    await user.click(within(questionB).getByRole('button', { name: 'Use b.csv as training set' }));
    await user.click(screen.getByRole('button', { name: 'Use a.csv as test set' }));
    expect(vi.mocked(controller.chooseSplit).mock.calls).toEqual([
      ['load-2', 'train'],
      ['load-1', 'test'],
    ]);
  });

  test('a split kept from an earlier visit says it was restored', () => {
    renderWithState([{ type: 'restored', splits: [realLoadedSplit('train', 30)] }]);
    expect(screen.getByTestId('train-summary').textContent).toBe(
      'Training set: 30 images from train-images-idx3-ubyte.gz + train-labels-idx1-ubyte.gz · restored from this browser in 1.2 s',
    );
  });

  test('every rejected file of a drop has its own line in the alert', () => {
    renderWithState([
      { type: 'rejected', error: { fileName: 'a', expected: 'x', message: 'First problem.' } },
      { type: 'rejected', error: { fileName: 'b', expected: 'x', message: 'Second problem.' } },
    ]);
    const alert = within(dataPanel()).getByRole('alert');
    expect(
      within(alert)
        .getAllByText(/problem/)
        .map((p) => p.textContent),
    ).toEqual(['First problem.', 'Second problem.']);
  });
});

describe('DatasetPanel: keeping the data in this browser', () => {
  const keepBox = () =>
    screen.getByRole<HTMLInputElement>('checkbox', {
      name: /^Keep the loaded data in this browser \(about 55 MB for the full set\)/,
    });

  function renderKept(status: KeptDatasetStatus, isKeepingData = true) {
    const kept: KeptDataset = { isKeepingData, status, setKeepingData: vi.fn(), keep: vi.fn() };
    const train = realLoadedSplit('train', 30);
    renderWithState([{ type: 'restored', splits: [train] }], kept);
    return { kept, train };
  }

  test.each<[KeptDatasetStatus, boolean, string]>([
    [{ kind: 'restoring' }, true, 'Looking for data kept in this browser…'],
    [{ kind: 'saving' }, true, 'Keeping the data in this browser…'],
    [
      { kind: 'kept', splits: 'training set (30 images)' },
      true,
      'Kept in this browser: training set (30 images).',
    ],
    [{ kind: 'idle' }, true, ''],
    [{ kind: 'off' }, false, 'The data is not kept: a reload needs the files again.'],
  ])('%j: ticked %s, status "%s"', (status, isKeepingData, text) => {
    renderKept(status, isKeepingData);
    expect(keepBox().checked).toBe(isKeepingData);
    expect(keepBox().disabled).toBe(false);
    expect(within(dataPanel()).getByRole('status').textContent).toBe(text);
  });

  test('without browser storage the box is off and cannot be ticked', () => {
    renderKept({ kind: 'unavailable', message: 'IndexedDB is blocked' });
    expect([keepBox().checked, keepBox().disabled]).toEqual([false, true]);
    expect(within(dataPanel()).getByRole('status').textContent).toBe(
      'The data cannot be kept: browser storage is not available here (IndexedDB is blocked)',
    );
  });

  test('a failure is an alert instead of the status line', () => {
    renderKept({ kind: 'error', message: 'The data kept in this browser could not be read: x' });
    expect(within(dataPanel()).getByRole('alert').textContent).toBe(
      'The data kept in this browser could not be read: x',
    );
    expect(within(dataPanel()).queryByRole('status')).toBeNull();
  });

  test('unticking hands over the splits in the tab', async () => {
    const { kept, train } = renderKept({ kind: 'kept', splits: 'training set (30 images)' });
    await userEvent.setup().click(keepBox());
    expect(kept.setKeepingData).toHaveBeenCalledWith(false, [train]);
  });

  test('without a keeper there is no such setting', () => {
    renderWithState([]);
    expect(screen.queryByRole('checkbox')).toBeNull();
  });
});
