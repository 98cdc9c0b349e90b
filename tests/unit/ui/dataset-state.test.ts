/**
 * The dataset reducer, fed with what the real loader produces from real Fashion-MNIST rows:
 * loaded splits from the CSV fixtures and the IngestError details a corrupted copy gets.
 * The rule that matters most: a bad file never costs the user a split they already loaded.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { ingestCsvFile } from '../../../src/data/ingest-core';
import {
  IngestError,
  type IngestErrorDetails,
  type LoadedSplit,
} from '../../../src/data/ingest-types';
import {
  INITIAL_DATASET_STATE,
  datasetReducer,
  type DatasetAction,
  type DatasetState,
} from '../../../src/ui/dataset/dataset-state';
import { realCsvText } from '../../support/fixtures';

let train: LoadedSplit;
let otherTrain: LoadedSplit;
let test10: LoadedSplit;
let badPixelError: IngestErrorDetails;

/** The error the real loader reports for `text`; fails the test if it loads. */
async function ingestError(text: string, fileName: string): Promise<IngestErrorDetails> {
  try {
    await ingestCsvFile(new Blob([text]), fileName, 'train');
  } catch (error) {
    if (error instanceof IngestError) return error.details;
    throw error;
  }
  throw new Error(`${fileName} loaded, but the test needs it rejected`);
}

beforeAll(async () => {
  train = await ingestCsvFile(new Blob([realCsvText(100)]), 'fashion-mnist_train.csv', 'train');
  otherTrain = await ingestCsvFile(new Blob([realCsvText(40)]), 'train-40.csv', 'train');
  test10 = await ingestCsvFile(
    new Blob([realCsvText(10, 'test')]),
    'fashion-mnist_test.csv',
    'test',
  );
  // Row 3 (line 4) gets a pixel of 300, outside 0–255.
  const lines = realCsvText(5).split('\n');
  const fields = lines[3].split(',');
  fields[38] = '300';
  lines[3] = fields.join(',');
  badPixelError = await ingestError(lines.join('\n'), 'broken_train.csv');
});

const reduce = (state: DatasetState, ...actions: DatasetAction[]) =>
  actions.reduce(datasetReducer, state);

const started = (id: string, fileName: string, split: 'train' | 'test'): DatasetAction => ({
  type: 'load-started',
  id,
  split,
  fileName,
  totalBytes: 1_000,
});

describe('datasetReducer', () => {
  test('the fixtures are what the tests think they are', () => {
    expect([train.count, otherTrain.count, test10.count]).toEqual([100, 40, 10]);
    expect(badPixelError).toMatchObject({ fileName: 'broken_train.csv', line: 4 });
  });

  test('a failed load keeps the split already loaded and reports the error', () => {
    const loaded = reduce(INITIAL_DATASET_STATE, started('a', 'fashion-mnist_train.csv', 'train'), {
      type: 'load-succeeded',
      id: 'a',
      loaded: train,
    });
    const after = reduce(loaded, started('b', 'broken_train.csv', 'train'), {
      type: 'load-failed',
      id: 'b',
      error: badPixelError,
    });
    expect(after.splits.train).toBe(train);
    expect(after.splits.train?.count).toBe(100);
    expect(after.loading).toEqual([]);
    expect(after.errors).toEqual([badPixelError]);
  });

  test('a successful load replaces only its own split', () => {
    const both = reduce(
      INITIAL_DATASET_STATE,
      { type: 'load-succeeded', id: 'a', loaded: train },
      { type: 'load-succeeded', id: 'b', loaded: test10 },
    );
    const after = reduce(both, started('c', 'train-40.csv', 'train'), {
      type: 'load-succeeded',
      id: 'c',
      loaded: otherTrain,
    });
    expect(after.splits.train).toBe(otherTrain);
    expect(after.splits.test).toBe(test10);
  });

  test('finishing one file leaves the other files loading', () => {
    const state = reduce(
      INITIAL_DATASET_STATE,
      started('a', 'fashion-mnist_train.csv', 'train'),
      started('b', 'fashion-mnist_test.csv', 'test'),
      { type: 'load-succeeded', id: 'a', loaded: train },
    );
    expect(state.loading.map((l) => l.id)).toEqual(['b']);
    expect(state.splits).toEqual({ train });
  });

  test('load-started adds an entry at zero progress', () => {
    const state = reduce(INITIAL_DATASET_STATE, started('a', 'fashion-mnist_train.csv', 'train'));
    expect(state.loading).toEqual([
      {
        id: 'a',
        split: 'train',
        fileName: 'fashion-mnist_train.csv',
        bytesRead: 0,
        totalBytes: 1_000,
        rows: 0,
      },
    ]);
  });

  test('progress updates only the entry with its id, even when two files share a name', () => {
    const state = reduce(
      INITIAL_DATASET_STATE,
      started('a', 'data.csv', 'train'),
      started('b', 'data.csv', 'test'),
      {
        type: 'load-progress',
        id: 'b',
        progress: { fileName: 'data.csv', bytesRead: 600, totalBytes: 1_000, rows: 12 },
      },
    );
    expect(state.loading.find((l) => l.id === 'a')).toMatchObject({ bytesRead: 0, rows: 0 });
    expect(state.loading.find((l) => l.id === 'b')).toMatchObject({
      split: 'test',
      bytesRead: 600,
      rows: 12,
    });
  });

  test('progress for an unknown id changes nothing', () => {
    const before = reduce(INITIAL_DATASET_STATE, started('a', 'data.csv', 'train'));
    const after = reduce(before, {
      type: 'load-progress',
      id: 'gone',
      progress: { fileName: 'data.csv', bytesRead: 10, totalBytes: 1_000, rows: 1 },
    });
    expect(after.loading).toEqual(before.loading);
  });

  test('files-dropped clears old errors and nothing else', () => {
    const file = new File(['x'], 'mystery.csv');
    const before = reduce(
      INITIAL_DATASET_STATE,
      { type: 'load-succeeded', id: 'a', loaded: train },
      started('b', 'fashion-mnist_test.csv', 'test'),
      { type: 'needs-split', id: 'c', file },
      { type: 'rejected', error: badPixelError },
      { type: 'idx-waiting', split: 'test', kind: 'images', fileName: 't10k-images-idx3-ubyte' },
    );
    expect(before.errors).toHaveLength(1);
    const after = datasetReducer(before, { type: 'files-dropped' });
    expect(after.errors).toEqual([]);
    expect(after.splits).toBe(before.splits);
    expect(after.loading).toBe(before.loading);
    expect(after.unassigned).toBe(before.unassigned);
    expect(after.waitingIdx).toBe(before.waitingIdx);
  });

  test('rejected files add errors in order without touching splits', () => {
    const second = { ...badPixelError, fileName: 'notes.txt' };
    const state = reduce(
      INITIAL_DATASET_STATE,
      { type: 'load-succeeded', id: 'a', loaded: train },
      { type: 'rejected', error: badPixelError },
      { type: 'rejected', error: second },
    );
    expect(state.errors).toEqual([badPixelError, second]);
    expect(state.splits.train).toBe(train);
  });

  test('choosing a split removes only that unassigned file', () => {
    const one = new File(['1'], 'data.csv');
    const two = new File(['2'], 'data.csv');
    const state = reduce(
      INITIAL_DATASET_STATE,
      { type: 'needs-split', id: 'u1', file: one },
      { type: 'needs-split', id: 'u2', file: two },
      { type: 'split-chosen', id: 'u1' },
    );
    expect(state.unassigned).toEqual([{ id: 'u2', file: two }]);
  });

  test('an IDX file waits for its partner; a newer file of the same kind replaces the older', () => {
    const state = reduce(
      INITIAL_DATASET_STATE,
      { type: 'idx-waiting', split: 'train', kind: 'images', fileName: 'old-images' },
      { type: 'idx-waiting', split: 'test', kind: 'labels', fileName: 't10k-labels-idx1-ubyte' },
      { type: 'idx-waiting', split: 'train', kind: 'images', fileName: 'train-images-idx3-ubyte' },
    );
    expect(state.waitingIdx).toEqual([
      { split: 'test', kind: 'labels', fileName: 't10k-labels-idx1-ubyte' },
      { split: 'train', kind: 'images', fileName: 'train-images-idx3-ubyte' },
    ]);
  });

  test('idx-paired clears only its own split', () => {
    const state = reduce(
      INITIAL_DATASET_STATE,
      { type: 'idx-waiting', split: 'train', kind: 'images', fileName: 'train-images' },
      { type: 'idx-waiting', split: 'test', kind: 'labels', fileName: 't10k-labels' },
      { type: 'idx-paired', split: 'train' },
    );
    expect(state.waitingIdx).toEqual([{ split: 'test', kind: 'labels', fileName: 't10k-labels' }]);
  });

  test('never mutates the state it is given (React compares by reference)', () => {
    const before = reduce(INITIAL_DATASET_STATE, started('a', 'data.csv', 'train'), {
      type: 'rejected',
      error: badPixelError,
    });
    const snapshot = structuredClone({ ...before, splits: {} });
    const after = reduce(
      before,
      { type: 'load-succeeded', id: 'a', loaded: train },
      { type: 'files-dropped' },
    );
    expect(after).not.toBe(before);
    expect(before.splits).toEqual({});
    expect({ ...before, splits: {} }).toEqual(snapshot);
    expect(INITIAL_DATASET_STATE).toEqual({
      splits: {},
      loading: [],
      unassigned: [],
      errors: [],
      waitingIdx: [],
      restored: [],
      notes: [],
      conflicts: [],
    });
  });

  test('restored splits fill only empty splits; loading a file for one makes it un-restored', () => {
    const restoredTest = { ...train, split: 'test' as const, sourceFiles: ['old_test.csv'] };
    // A training file was loaded before storage answered: it wins over the kept one.
    const loaded = reduce(INITIAL_DATASET_STATE, started('a', 'fashion-mnist_train.csv', 'train'), {
      type: 'load-succeeded',
      id: 'a',
      loaded: train,
    });
    const restored = reduce(loaded, {
      type: 'restored',
      splits: [{ ...train, sourceFiles: ['old_train.csv'] }, restoredTest],
    });
    expect(restored.splits.train).toBe(train);
    expect(restored.splits.test).toBe(restoredTest);
    expect(restored.restored).toEqual(['test']);
    // A split still being read is not overwritten by the kept one either.
    const reading = reduce(INITIAL_DATASET_STATE, started('b', 'fashion-mnist_test.csv', 'test'), {
      type: 'restored',
      splits: [restoredTest],
    });
    expect(reading.splits.test).toBeUndefined();
    expect(reading.restored).toEqual([]);
    const replaced = reduce(restored, started('c', 'fashion-mnist_test.csv', 'test'), {
      type: 'load-succeeded',
      id: 'c',
      loaded: { ...restoredTest, sourceFiles: ['fashion-mnist_test.csv'] },
    });
    expect(replaced.restored).toEqual([]);
    expect(replaced.splits.test?.sourceFiles).toEqual(['fashion-mnist_test.csv']);
  });
});
