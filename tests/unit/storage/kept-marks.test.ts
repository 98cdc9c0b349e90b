/**
 * The marks that remember, beside IndexedDB, what it should hold: written and read back,
 * damaged records ignored, and what a later visit finds missing.
 */
import { describe, expect, test } from 'vitest';
import {
  findLostSplits,
  KEPT_MARKS_KEY,
  readKeptMarks,
  updateKeptMarks,
  type MarkStorage,
} from '../../../src/storage/kept-marks';

function memoryStorage(): MarkStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

describe('kept marks', () => {
  test('round trip of the dataset and run marks; empty marks remove the record', () => {
    const storage = memoryStorage();
    updateKeptMarks(
      () => ({
        dataset: { counts: { train: 2000, test: 2000 }, keptAt: '2026-11-29T17:00:00.000Z' },
        run: { runId: 'r1', epochsCompleted: 1, epochs: 3, keptAt: '2026-11-29T17:05:00.000Z' },
      }),
      storage,
    );
    expect(readKeptMarks(storage)).toEqual({
      dataset: { counts: { train: 2000, test: 2000 }, keptAt: '2026-11-29T17:00:00.000Z' },
      run: { runId: 'r1', epochsCompleted: 1, epochs: 3, keptAt: '2026-11-29T17:05:00.000Z' },
    });
    updateKeptMarks(() => ({}), storage);
    expect(storage.items.has(KEPT_MARKS_KEY)).toBe(false);
  });

  test('a damaged or foreign record reads as no marks, field by field', () => {
    const storage = memoryStorage();
    storage.setItem(KEPT_MARKS_KEY, '{not json');
    expect(readKeptMarks(storage)).toEqual({});
    storage.setItem(
      KEPT_MARKS_KEY,
      JSON.stringify({
        dataset: { counts: { train: -5, test: 100 }, keptAt: 'x' },
        run: { runId: 7, epochsCompleted: 1, epochs: 2, keptAt: 'y' },
      }),
    );
    expect(readKeptMarks(storage)).toEqual({ dataset: { counts: { test: 100 }, keptAt: 'x' } });
    expect(readKeptMarks(null)).toEqual({});
  });

  test('what was kept and is not found any more', () => {
    const marks = { dataset: { counts: { train: 60000, test: 10000 }, keptAt: 'then' } };
    expect(findLostSplits(marks, ['train', 'test'])).toEqual({ splits: [], keptAt: 'then' });
    expect(findLostSplits(marks, ['test'])).toEqual({
      splits: [{ split: 'train', count: 60000 }],
      keptAt: 'then',
    });
    expect(findLostSplits({}, [])).toEqual({ splits: [], keptAt: undefined });
  });

  test('a storage that refuses writes loses only the marks', () => {
    const refusing: MarkStorage = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
      removeItem: () => undefined,
    };
    expect(() =>
      updateKeptMarks(() => ({ dataset: { counts: { train: 1 }, keptAt: 'now' } }), refusing),
    ).not.toThrow();
  });
});
