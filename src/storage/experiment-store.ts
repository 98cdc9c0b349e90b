/**
 * The six-architecture experiment under way, kept in our database (studio-db.ts, store
 * `experiments`): its settings, the order of the architectures, which one trains now and the
 * checkpoint run it writes. After a reload the page reads it and offers to go on where it
 * stopped. One experiment at a time, under one key; the record goes when the sixth run ends.
 */
import { isArchitectureId, type ArchitectureId } from '../model/architecture-catalog';
import { errorMessage } from '../shared/errors';
import { isRecord } from '../shared/guards';
import { findTrainingParamsProblem, type TrainingParams } from '../training/training-params';
import { StorageError, toReadError, toWriteError } from './storage-error';
import {
  EXPERIMENT_STORE,
  globalIndexedDb,
  requestResult,
  withStudioTransaction,
} from './studio-db';

export const EXPERIMENT_SCHEMA_VERSION = 1;
/** The key of the one experiment record. */
const EXPERIMENT_KEY = 'current';

export interface ExperimentState {
  id: string;
  /** The settings every run shares; each run puts its own architecture in. */
  params: TrainingParams;
  /** The architectures in training order. */
  architectureIds: ArchitectureId[];
  /** Index in `architectureIds` of the run under way (or next); its length when all are done. */
  nextIndex: number;
  /** The checkpoint run id of the run at `nextIndex`, once it started. */
  currentRunId?: string;
  /** The dataset key of the data the experiment trains on (every run the same). */
  datasetKey: string;
  /** ISO 8601 time it started. */
  startedAt: string;
}

export interface StoredExperiment extends ExperimentState {
  schemaVersion: typeof EXPERIMENT_SCHEMA_VERSION;
  key: typeof EXPERIMENT_KEY;
}

export interface ExperimentStore {
  save(state: ExperimentState): Promise<void>;
  /** The experiment under way, or null (none, or its record failed its guard). */
  load(): Promise<ExperimentState | null>;
  clear(): Promise<void>;
}

/** null when `value` is a complete experiment record of the current schema, else what is wrong. */
export function findStoredExperimentProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'experiment record is missing';
  if (value.schemaVersion !== EXPERIMENT_SCHEMA_VERSION) {
    return `experiment schema version ${String(value.schemaVersion)} is not ${EXPERIMENT_SCHEMA_VERSION}`;
  }
  if (typeof value.id !== 'string' || !value.id) return 'experiment id is missing';
  const paramsProblem = findTrainingParamsProblem(value.params);
  if (paramsProblem) return `training settings: ${paramsProblem}`;
  const ids = value.architectureIds;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every(isArchitectureId)) {
    return 'architecture list is damaged';
  }
  const next = value.nextIndex;
  if (typeof next !== 'number' || !Number.isInteger(next) || next < 0 || next > ids.length) {
    return 'next architecture is out of range';
  }
  if (value.currentRunId !== undefined && typeof value.currentRunId !== 'string') {
    return 'checkpoint run id is not text';
  }
  if (typeof value.datasetKey !== 'string') return 'dataset key is missing';
  if (typeof value.startedAt !== 'string') return 'start time is missing';
  return null;
}

export function createExperimentStore(options: { idbFactory?: IDBFactory } = {}): ExperimentStore {
  const idbFactory = 'idbFactory' in options ? options.idbFactory : globalIndexedDb();

  async function save(state: ExperimentState): Promise<void> {
    const record: StoredExperiment = {
      ...state,
      architectureIds: [...state.architectureIds],
      schemaVersion: EXPERIMENT_SCHEMA_VERSION,
      key: EXPERIMENT_KEY,
    };
    const problem = findStoredExperimentProblem(record);
    if (problem) throw new StorageError('write-failed', `Invalid experiment: ${problem}.`);
    try {
      await withStudioTransaction(idbFactory, [EXPERIMENT_STORE], 'readwrite', (tx) =>
        requestResult(tx.objectStore(EXPERIMENT_STORE).put(record)),
      );
    } catch (error) {
      throw toWriteError('the experiment’s progress', error);
    }
  }

  async function load(): Promise<ExperimentState | null> {
    let record: unknown;
    try {
      record = await withStudioTransaction(idbFactory, [EXPERIMENT_STORE], 'readonly', (tx) =>
        requestResult(tx.objectStore(EXPERIMENT_STORE).get(EXPERIMENT_KEY)),
      );
    } catch (error) {
      throw toReadError('the experiment under way', error);
    }
    if (record === undefined || findStoredExperimentProblem(record) !== null) return null;
    const stored = record as StoredExperiment;
    return {
      id: stored.id,
      params: stored.params,
      architectureIds: stored.architectureIds,
      nextIndex: stored.nextIndex,
      ...(stored.currentRunId !== undefined ? { currentRunId: stored.currentRunId } : {}),
      datasetKey: stored.datasetKey,
      startedAt: stored.startedAt,
    };
  }

  async function clear(): Promise<void> {
    try {
      await withStudioTransaction(idbFactory, [EXPERIMENT_STORE], 'readwrite', (tx) =>
        requestResult(tx.objectStore(EXPERIMENT_STORE).delete(EXPERIMENT_KEY)),
      );
    } catch (error) {
      throw new StorageError(
        'write-failed',
        `Could not end the experiment: ${errorMessage(error)}`,
        { cause: error },
      );
    }
  }

  return { save, load, clear };
}
