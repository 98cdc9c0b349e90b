/**
 * The runs table and the experiment kept in IndexedDB (fake-indexeddb): records survive a
 * round trip, damaged or foreign ones are skipped and counted, never half-read, and a database
 * of the previous version (kept data inside) upgrades without losing what it held.
 */
import { deleteAllDatabases } from './idb-test-env';
import { afterEach, describe, expect, test } from 'vitest';
import {
  createExperimentStore,
  findStoredExperimentProblem,
  type ExperimentState,
} from '../../../src/storage/experiment-store';
import { createDatasetStore, datasetFingerprint } from '../../../src/storage/dataset-store';
import {
  createRunStore,
  findStoredRunProblem,
  type RunRecord,
} from '../../../src/storage/run-store';
import {
  DATASET_STORE,
  EXPERIMENT_STORE,
  RUN_STORE,
  STUDIO_DB_NAME,
  STUDIO_DB_VERSION,
} from '../../../src/storage/studio-db';
import type { EpochMetrics } from '../../../src/training/run-types';
import { DEFAULT_TRAINING_PARAMS } from '../../../src/training/training-params';
import { loadRealSplit } from '../training/real-data';

const epoch = (index: number): EpochMetrics => ({
  epoch: index,
  loss: 0.6 - index * 0.1,
  accuracy: 0.78 + index * 0.03,
  valLoss: NaN,
  valAccuracy: NaN,
  elapsedMs: (index + 1) * 1000,
  learningRate: 0.001,
});

const RUN: RunRecord = {
  id: 1_767_000_000_000,
  architectureLabel: '6 · Seed CNN',
  parameterCount: 484_302,
  trainingParams: { ...DEFAULT_TRAINING_PARAMS, epochs: 2, validationFraction: 0 },
  epochsDone: 2,
  trainAccuracy: 0.81,
  valAccuracy: NaN,
  testAccuracy: 0.8,
  wallTimeMs: 2500,
  backend: 'wasm',
  end: 'completed',
  history: [epoch(0), epoch(1)],
  samplesPerSec: 812.5,
  finishedAt: '2026-01-02T03:04:05.000Z',
  experimentId: 'experiment-1',
};

/** Puts `record` straight into `store`, past the stores' own guards. */
async function putRaw(store: string, record: unknown): Promise<void> {
  // The app's own code creates the database and its stores first.
  await createExperimentStore().load();
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(STUDIO_DB_NAME, STUDIO_DB_VERSION);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction([store], 'readwrite');
      tx.objectStore(store).put(record);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

afterEach(deleteAllDatabases);

describe('run store', () => {
  test('a run comes back as it was, NaN and history included; delete removes it', async () => {
    const store = createRunStore();
    await store.saveRun(RUN);
    const later = { ...RUN, id: RUN.id + 1, architectureLabel: '1 · Conv64 → Pool4' };
    await store.saveRun(later);
    const { runs, skipped } = await createRunStore().listRuns();
    expect(skipped).toBe(0);
    expect(runs.map((r) => r.id)).toEqual([RUN.id, RUN.id + 1]);
    expect(runs[0]).toEqual({ ...RUN, schemaVersion: 1 });
    expect(Number.isNaN(runs[0].history[1].valAccuracy)).toBe(true);

    await store.deleteRun(RUN.id);
    expect((await store.listRuns()).runs.map((r) => r.id)).toEqual([RUN.id + 1]);
  });

  test('damaged and foreign records are skipped and counted', async () => {
    await createRunStore().saveRun(RUN);
    await putRaw(RUN_STORE, { ...RUN, id: 2, schemaVersion: 99 });
    await putRaw(RUN_STORE, { ...RUN, id: 3, schemaVersion: 1, history: [{ epoch: 0 }] });
    const { runs, skipped } = await createRunStore().listRuns();
    expect(runs.map((r) => r.id)).toEqual([RUN.id]);
    expect(skipped).toBe(2);
  });

  test('the guard says what is wrong', () => {
    const stored = { ...RUN, schemaVersion: 1 };
    expect(findStoredRunProblem(stored)).toBeNull();
    expect(findStoredRunProblem({ ...stored, schemaVersion: 2 })).toBe(
      'run schema version 2 is not 1',
    );
    expect(findStoredRunProblem({ ...stored, testAccuracy: '80%' })).toBe(
      'testAccuracy is not a number',
    );
    expect(findStoredRunProblem({ ...stored, end: 'paused' })).toBe('how the run ended is unknown');
    expect(
      findStoredRunProblem({ ...stored, trainingParams: { ...RUN.trainingParams, epochs: -1 } }),
    ).toMatch(/^training settings: The number of epochs must be a whole number/);
  });

  test('a run that fails its guard is not written', async () => {
    const store = createRunStore();
    await expect(store.saveRun({ ...RUN, end: 'paused' as 'completed' })).rejects.toThrow(
      'Invalid run: how the run ended is unknown.',
    );
    expect((await store.listRuns()).runs).toEqual([]);
  });
});

const EXPERIMENT: ExperimentState = {
  id: 'experiment-1',
  params: { ...DEFAULT_TRAINING_PARAMS, epochs: 1 },
  architectureIds: ['conv1', 'conv2', 'conv2-pool2', 'conv3-pool2', 'conv3-pool2-bn', 'seed-cnn'],
  nextIndex: 2,
  currentRunId: 'run-abc',
  datasetKey: 'train:100:0a0b0c0d|test:100:01020304',
  startedAt: '2026-01-02T03:04:05.000Z',
};

describe('experiment store', () => {
  test('the experiment under way comes back; clear ends it', async () => {
    const store = createExperimentStore();
    expect(await store.load()).toBeNull();
    await store.save(EXPERIMENT);
    await store.save({ ...EXPERIMENT, nextIndex: 3, currentRunId: undefined });
    const loaded = await createExperimentStore().load();
    expect(loaded).toEqual({ ...EXPERIMENT, nextIndex: 3, currentRunId: undefined });
    expect(loaded).not.toHaveProperty('currentRunId');
    await store.clear();
    expect(await store.load()).toBeNull();
  });

  test('a damaged record reads as no experiment, and the guard says why', async () => {
    await putRaw(EXPERIMENT_STORE, {
      ...EXPERIMENT,
      key: 'current',
      schemaVersion: 1,
      nextIndex: 7,
    });
    expect(await createExperimentStore().load()).toBeNull();
    const stored = { ...EXPERIMENT, key: 'current', schemaVersion: 1 };
    expect(findStoredExperimentProblem(stored)).toBeNull();
    expect(findStoredExperimentProblem({ ...stored, nextIndex: 7 })).toBe(
      'next architecture is out of range',
    );
    expect(findStoredExperimentProblem({ ...stored, architectureIds: ['conv9'] })).toBe(
      'architecture list is damaged',
    );
  });
});

describe('schema upgrade', () => {
  test('a version-2 database keeps its data and gains the runs and experiment stores', async () => {
    // The database as version 2 of the app left it: its four stores, a kept split inside.
    const split = loadRealSplit('test', 50);
    const keptSplit = {
      schemaVersion: 1,
      split: 'test',
      images: split.images,
      labels: split.labels,
      count: 50,
      sourceFiles: ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'],
      parser: 'idx',
      fingerprint: datasetFingerprint(split.images, split.labels),
      savedAt: '2026-01-01T00:00:00.000Z',
    };
    const v2 = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(STUDIO_DB_NAME, 2);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore('model-metadata', { keyPath: 'key' });
        db.createObjectStore('checkpoints', { keyPath: 'key' }).createIndex('by-run', 'runId');
        db.createObjectStore('checkpoint-pointers', { keyPath: 'runId' });
        db.createObjectStore(DATASET_STORE, { keyPath: 'split' }).put(keptSplit);
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    expect([...v2.objectStoreNames]).not.toContain(RUN_STORE);
    v2.close();

    await createRunStore().saveRun(RUN);
    expect((await createRunStore().listRuns()).runs).toHaveLength(1);
    const kept = await createDatasetStore().loadSplits();
    expect(kept.map((s) => [s.split, s.count, s.fingerprint])).toEqual([
      ['test', 50, keptSplit.fingerprint],
    ]);
    expect(await createExperimentStore().load()).toBeNull();
  });
});
