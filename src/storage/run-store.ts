/**
 * The runs table kept in our database (studio-db.ts, store `runs`): one record per finished run,
 * so runs can be compared across reloads until someone deletes them. Records carry a schema
 * version and pass a type guard on the way back in; a damaged one is skipped and counted,
 * never shown half-read.
 */
import { errorMessage } from '../shared/errors';
import { isRecord } from '../shared/guards';
import type { EpochMetrics, RunEnd } from '../training/run-types';
import { findTrainingParamsProblem, type TrainingParams } from '../training/training-params';
import { StorageError, toReadError, toWriteError } from './storage-error';
import { globalIndexedDb, requestResult, RUN_STORE, withStudioTransaction } from './studio-db';

export const RUN_SCHEMA_VERSION = 1;

/** One row of the runs table (the seed project's experiment table, and more). */
export interface RunRecord {
  /** Unique among the kept runs: the time it ended, ms since 1970, made unique on a tie. */
  id: number;
  architectureLabel: string;
  /** The architecture's parameters, as Keras counts them. */
  parameterCount: number;
  trainingParams: TrainingParams;
  epochsDone: number;
  /** Accuracies of the epoch whose weights the model kept (NaN when unknown). */
  trainAccuracy: number;
  valAccuracy: number;
  testAccuracy: number;
  /** With test-time flip averaging, when the recipe measured it. */
  testAccuracyFlipAveraged?: number;
  wallTimeMs: number;
  /** Where it trained, as the page words it ("wasm", "webgl (main thread)"). */
  backend: string;
  end: RunEnd;
  /** Every epoch's metrics, in order (the overlay chart draws validation accuracy from it). */
  history: EpochMetrics[];
  /** Training images per second over the run's epochs, when known: the time estimates use it. */
  samplesPerSec?: number;
  /** ISO 8601 time the run ended. */
  finishedAt: string;
  /** The six-architecture experiment the run belonged to, if any. */
  experimentId?: string;
}

export interface StoredRun extends RunRecord {
  schemaVersion: typeof RUN_SCHEMA_VERSION;
}

export interface RunStoreOptions {
  idbFactory?: IDBFactory;
}

export interface RunStore {
  /** Keeps (or replaces) one run. */
  saveRun(run: RunRecord): Promise<StoredRun>;
  /** Every kept run that passes its guard, oldest first; `skipped` counts the damaged ones. */
  listRuns(): Promise<{ runs: StoredRun[]; skipped: number }>;
  deleteRun(id: number): Promise<void>;
}

const isNumber = (value: unknown): value is number => typeof value === 'number';

function isEpochMetrics(value: unknown): value is EpochMetrics {
  return (
    isRecord(value) &&
    Number.isInteger(value.epoch) &&
    ['loss', 'accuracy', 'valLoss', 'valAccuracy', 'elapsedMs'].every((key) => isNumber(value[key]))
  );
}

/** null when `value` is a complete run record of the current schema, else what is wrong. */
export function findStoredRunProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'run record is missing';
  if (value.schemaVersion !== RUN_SCHEMA_VERSION) {
    return `run schema version ${String(value.schemaVersion)} is not ${RUN_SCHEMA_VERSION}`;
  }
  if (!Number.isInteger(value.id)) return 'run id is not a whole number';
  if (typeof value.architectureLabel !== 'string') return 'architecture label is missing';
  const paramsProblem = findTrainingParamsProblem(value.trainingParams);
  if (paramsProblem) return `training settings: ${paramsProblem}`;
  const numbers = ['parameterCount', 'epochsDone', 'trainAccuracy', 'valAccuracy'] as const;
  for (const key of [...numbers, 'testAccuracy', 'wallTimeMs'] as const) {
    if (!isNumber(value[key])) return `${key} is not a number`;
  }
  for (const key of ['testAccuracyFlipAveraged', 'samplesPerSec'] as const) {
    if (value[key] !== undefined && !isNumber(value[key])) return `${key} is not a number`;
  }
  if (typeof value.backend !== 'string') return 'backend is missing';
  if (value.end !== 'completed' && value.end !== 'stopped' && value.end !== 'failed') {
    return 'how the run ended is unknown';
  }
  if (!Array.isArray(value.history) || !value.history.every(isEpochMetrics)) {
    return 'epoch history is damaged';
  }
  if (typeof value.finishedAt !== 'string') return 'end time is missing';
  if (value.experimentId !== undefined && typeof value.experimentId !== 'string') {
    return 'experiment id is not text';
  }
  return null;
}

export function createRunStore(options: RunStoreOptions = {}): RunStore {
  const idbFactory = 'idbFactory' in options ? options.idbFactory : globalIndexedDb();

  async function saveRun(run: RunRecord): Promise<StoredRun> {
    const record: StoredRun = { ...run, history: [...run.history], schemaVersion: 1 };
    const problem = findStoredRunProblem(record);
    if (problem) throw new StorageError('write-failed', `Invalid run: ${problem}.`);
    try {
      await withStudioTransaction(idbFactory, [RUN_STORE], 'readwrite', (tx) =>
        requestResult(tx.objectStore(RUN_STORE).put(record)),
      );
    } catch (error) {
      throw toWriteError(`the run of ${run.architectureLabel}`, error);
    }
    return record;
  }

  async function listRuns(): Promise<{ runs: StoredRun[]; skipped: number }> {
    let records: unknown[];
    try {
      records = await withStudioTransaction(idbFactory, [RUN_STORE], 'readonly', (tx) =>
        requestResult(tx.objectStore(RUN_STORE).getAll()),
      );
    } catch (error) {
      throw toReadError('the kept runs', error);
    }
    const runs = records.filter((r): r is StoredRun => findStoredRunProblem(r) === null);
    // Keys are ids, and ids are end times: getAll already returns them oldest first.
    return { runs, skipped: records.length - runs.length };
  }

  async function deleteRun(id: number): Promise<void> {
    try {
      await withStudioTransaction(idbFactory, [RUN_STORE], 'readwrite', (tx) =>
        requestResult(tx.objectStore(RUN_STORE).delete(id)),
      );
    } catch (error) {
      throw new StorageError('write-failed', `Could not delete the run: ${errorMessage(error)}`, {
        cause: error,
      });
    }
  }

  return { saveRun, listRuns, deleteRun };
}
