/**
 * Per-run training checkpoints in our database (studio-db.ts): weights, optimizer slots, the
 * epoch reached, metric history and params, so a run can resume where it stopped.
 *
 * Replacement is atomic from a reader's point of view: (1) the new checkpoint is written under
 * a new key, (2) the run's pointer record is flipped to it in one transaction, (3) the old
 * checkpoint (and any orphan of an earlier interrupted write) is deleted. readLatestCheckpoint
 * follows the pointer, so whatever step an interruption hits, it finds a complete checkpoint.
 */
import { errorMessage } from '../shared/errors';
import { isRecord } from '../shared/guards';
import type { CheckpointWriter, TrainingCheckpoint } from '../training/checkpoint';
import { findTrainingParamsProblem } from '../training/training-params';
import { StorageError, toReadError, toWriteError } from './storage-error';
import {
  CHECKPOINT_BY_RUN_INDEX,
  CHECKPOINT_POINTER_STORE,
  CHECKPOINT_STORE,
  globalIndexedDb,
  requestResult,
  withStudioTransaction,
} from './studio-db';

export type { TrainingCheckpoint } from '../training/checkpoint';

export const CHECKPOINT_SCHEMA_VERSION = 1;

export interface StoredCheckpoint extends TrainingCheckpoint {
  schemaVersion: typeof CHECKPOINT_SCHEMA_VERSION;
  key: string;
  /** ISO 8601 time of the write. */
  createdAt: string;
}

/** One per run: which checkpoint is current. Flipped in one transaction. */
export interface CheckpointPointer {
  runId: string;
  currentCheckpointKey: string;
  epoch: number;
}

export type CheckpointWriteStep = 'checkpoint-written' | 'pointer-flipped';

export interface CheckpointStoreOptions {
  idbFactory?: IDBFactory;
  now?: () => Date;
  createId?: () => string;
  /** Called after each step of a write; tests throw here to simulate an interruption. */
  afterStep?: (step: CheckpointWriteStep) => void | Promise<void>;
}

export interface CheckpointStore extends CheckpointWriter {
  writeCheckpoint(checkpoint: TrainingCheckpoint): Promise<StoredCheckpoint>;
  /** The run's current checkpoint, or null when it has none. */
  readLatestCheckpoint(runId: string): Promise<StoredCheckpoint | null>;
  /** Removes the run's pointer and every checkpoint record of it. */
  clearCheckpoints(runId: string): Promise<void>;
  /** Runs that have a current checkpoint (to offer "resume"). */
  listCheckpointPointers(): Promise<CheckpointPointer[]>;
}

const DTYPE_BYTES = { float32: 4, int32: 4 } as const;

const isShape = (value: unknown): value is number[] =>
  Array.isArray(value) && value.every((d) => Number.isInteger(d) && d >= 0);

/** null when `value` is a complete checkpoint of the current schema, else what is wrong. */
export function findCheckpointProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'checkpoint is missing';
  if (value.schemaVersion !== CHECKPOINT_SCHEMA_VERSION) {
    return `checkpoint schema version ${String(value.schemaVersion)} is not ${CHECKPOINT_SCHEMA_VERSION}`;
  }
  if (typeof value.key !== 'string' || typeof value.runId !== 'string' || !value.runId) {
    return 'checkpoint key or run id is missing';
  }
  if (typeof value.epoch !== 'number' || !Number.isInteger(value.epoch) || value.epoch < 0) {
    return 'epoch is not a non-negative integer';
  }
  const paramsProblem = findTrainingParamsProblem(value.params);
  if (paramsProblem) return paramsProblem;
  if (
    !Array.isArray(value.history) ||
    !value.history.every(
      (m) => isRecord(m) && typeof m.epoch === 'number' && typeof m.loss === 'number',
    )
  ) {
    return 'metric history is damaged';
  }
  const model = value.model;
  if (
    !isRecord(model) ||
    !isRecord(model.modelTopology) ||
    !Array.isArray(model.weightSpecs) ||
    !(model.weightData instanceof ArrayBuffer)
  ) {
    return 'model weights are missing';
  }
  if (typeof value.elapsedMs !== 'number' || !(value.elapsedMs >= 0)) {
    return 'elapsed time is missing';
  }
  if (
    typeof value.shuffleSeed !== 'number' ||
    !Number.isInteger(value.shuffleSeed) ||
    value.shuffleSeed < 0 ||
    value.shuffleSeed > 0xffff_ffff
  ) {
    return 'shuffle seed is not a 32-bit unsigned integer';
  }
  if (typeof value.datasetKey !== 'string') return 'dataset key is missing';
  if (!Array.isArray(value.optimizerState)) return 'optimizer state is missing';
  for (const entry of value.optimizerState as unknown[]) {
    if (
      !isRecord(entry) ||
      typeof entry.name !== 'string' ||
      !isShape(entry.shape) ||
      (entry.dtype !== 'float32' && entry.dtype !== 'int32') ||
      !(entry.data instanceof ArrayBuffer) ||
      entry.data.byteLength !== entry.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[entry.dtype]
    ) {
      return 'optimizer state is damaged';
    }
  }
  if (typeof value.createdAt !== 'string') return 'creation time is missing';
  if (value.best !== undefined && !isBestEpoch(value.best)) return 'best epoch is damaged';
  return null;
}

function isBestEpoch(value: unknown): boolean {
  return (
    isRecord(value) &&
    typeof value.epoch === 'number' &&
    Number.isInteger(value.epoch) &&
    value.epoch >= 0 &&
    typeof value.valAccuracy === 'number' &&
    (value.weightData === undefined || value.weightData instanceof ArrayBuffer)
  );
}

/** What the store's operations share: the database factory and the injectable hooks. */
interface StoreContext {
  idbFactory: IDBFactory | undefined;
  now: () => Date;
  createId: () => string;
  afterStep: (step: CheckpointWriteStep) => void | Promise<void>;
}

export function createCheckpointStore(options: CheckpointStoreOptions = {}): CheckpointStore {
  const context: StoreContext = {
    idbFactory: 'idbFactory' in options ? options.idbFactory : globalIndexedDb(),
    now: options.now ?? (() => new Date()),
    createId: options.createId ?? (() => crypto.randomUUID()),
    afterStep: options.afterStep ?? (() => undefined),
  };
  return {
    writeCheckpoint: (checkpoint) => writeCheckpoint(context, checkpoint),
    readLatestCheckpoint: (runId) => readLatestCheckpoint(context, runId),
    clearCheckpoints: (runId) => clearCheckpoints(context, runId),
    listCheckpointPointers: () => listCheckpointPointers(context),
  };
}

/** Deletes every checkpoint record of `runId` except `keepKey`, in `tx`. */
function deleteRunRecords(tx: IDBTransaction, runId: string, keepKey: string | null) {
  const store = tx.objectStore(CHECKPOINT_STORE);
  const keysRequest = store.index(CHECKPOINT_BY_RUN_INDEX).getAllKeys(runId);
  return new Promise<void>((resolve, reject) => {
    keysRequest.onsuccess = () => {
      // Issued inside the success callback so the transaction is still active.
      for (const key of keysRequest.result) if (key !== keepKey) store.delete(key);
      resolve();
    };
    keysRequest.onerror = () => reject(keysRequest.error);
  });
}

async function writeCheckpoint(
  context: StoreContext,
  checkpoint: TrainingCheckpoint,
): Promise<StoredCheckpoint> {
  const stored: StoredCheckpoint = {
    ...checkpoint,
    schemaVersion: CHECKPOINT_SCHEMA_VERSION,
    key: `${checkpoint.runId}/epoch-${checkpoint.epoch}/${context.createId()}`,
    createdAt: context.now().toISOString(),
  };
  const problem = findCheckpointProblem(stored);
  if (problem) throw new StorageError('write-failed', `Invalid checkpoint: ${problem}.`);
  const what = `the checkpoint of epoch ${checkpoint.epoch}`;
  let isPointerFlipped = false;
  try {
    await withStudioTransaction(context.idbFactory, [CHECKPOINT_STORE], 'readwrite', (tx) =>
      requestResult(tx.objectStore(CHECKPOINT_STORE).add(stored)),
    );
    await context.afterStep('checkpoint-written');
    const pointer: CheckpointPointer = {
      runId: checkpoint.runId,
      currentCheckpointKey: stored.key,
      epoch: checkpoint.epoch,
    };
    await withStudioTransaction(context.idbFactory, [CHECKPOINT_POINTER_STORE], 'readwrite', (tx) =>
      requestResult(tx.objectStore(CHECKPOINT_POINTER_STORE).put(pointer)),
    );
    isPointerFlipped = true;
    await context.afterStep('pointer-flipped');
    await withStudioTransaction(context.idbFactory, [CHECKPOINT_STORE], 'readwrite', (tx) =>
      deleteRunRecords(tx, checkpoint.runId, stored.key),
    );
  } catch (error) {
    if (!isPointerFlipped) {
      // Best effort; a crash leaves the orphan for the next write's sweep instead.
      await withStudioTransaction(context.idbFactory, [CHECKPOINT_STORE], 'readwrite', (tx) =>
        requestResult(tx.objectStore(CHECKPOINT_STORE).delete(stored.key)),
      ).catch(() => undefined);
    }
    throw toWriteError(what, error);
  }
  return stored;
}

async function readLatestCheckpoint(
  context: StoreContext,
  runId: string,
): Promise<StoredCheckpoint | null> {
  let found: { pointer?: CheckpointPointer; record?: unknown };
  try {
    found = await withStudioTransaction(
      context.idbFactory,
      [CHECKPOINT_POINTER_STORE, CHECKPOINT_STORE],
      'readonly',
      (tx) =>
        new Promise((resolve, reject) => {
          const pointerRequest = tx.objectStore(CHECKPOINT_POINTER_STORE).get(runId) as IDBRequest<
            CheckpointPointer | undefined
          >;
          pointerRequest.onerror = () => reject(pointerRequest.error);
          pointerRequest.onsuccess = () => {
            const pointer = pointerRequest.result;
            if (!pointer) return resolve({});
            const recordRequest = tx
              .objectStore(CHECKPOINT_STORE)
              .get(pointer.currentCheckpointKey);
            recordRequest.onerror = () => reject(recordRequest.error);
            recordRequest.onsuccess = () => resolve({ pointer, record: recordRequest.result });
          };
        }),
    );
  } catch (error) {
    throw toReadError(`the checkpoint of run ${runId}`, error);
  }
  if (!found.pointer) return null;
  const problem = findCheckpointProblem(found.record);
  if (problem) {
    throw new StorageError(
      'unreadable',
      `The checkpoint of run ${runId} is unreadable: ${problem}.`,
    );
  }
  return found.record as StoredCheckpoint;
}

async function clearCheckpoints(context: StoreContext, runId: string): Promise<void> {
  try {
    await withStudioTransaction(
      context.idbFactory,
      [CHECKPOINT_POINTER_STORE, CHECKPOINT_STORE],
      'readwrite',
      (tx) => {
        tx.objectStore(CHECKPOINT_POINTER_STORE).delete(runId);
        return deleteRunRecords(tx, runId, null);
      },
    );
  } catch (error) {
    const detail = errorMessage(error);
    throw new StorageError(
      'write-failed',
      `Could not remove the checkpoints of run ${runId}: ${detail}`,
      { cause: error },
    );
  }
}

async function listCheckpointPointers(context: StoreContext): Promise<CheckpointPointer[]> {
  try {
    return await withStudioTransaction(
      context.idbFactory,
      [CHECKPOINT_POINTER_STORE],
      'readonly',
      (tx) =>
        requestResult(
          tx.objectStore(CHECKPOINT_POINTER_STORE).getAll() as IDBRequest<CheckpointPointer[]>,
        ),
    );
  } catch (error) {
    throw toReadError('the checkpoint list', error);
  }
}
