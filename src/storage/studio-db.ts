/**
 * Our own small IndexedDB database (metadata, checkpoints, checkpoint pointers, the loaded
 * dataset, the runs table and the six-architecture experiment), opened with the raw API and wrapped in promises. Model weights do not live here: tfjs's IndexedDB
 * handler keeps them in its own `tensorflowjs` database (see model-store.ts).
 *
 * Each operation opens a connection and closes it when done, so a later schema upgrade in
 * another tab is never blocked by a connection we forgot.
 */
import { StorageError } from './storage-error';

export const STUDIO_DB_NAME = 'fashion-mnist-studio';
/** Bump with an upgrade step in upgradeStudioDb when a store or index changes. */
export const STUDIO_DB_VERSION = 3;

export const METADATA_STORE = 'model-metadata';
export const CHECKPOINT_STORE = 'checkpoints';
export const CHECKPOINT_POINTER_STORE = 'checkpoint-pointers';
/** Index of CHECKPOINT_STORE by runId, to find every record of one run. */
export const CHECKPOINT_BY_RUN_INDEX = 'by-run';
/** The loaded dataset, one record per split (version 2). */
export const DATASET_STORE = 'datasets';
/** The runs table's rows, one record per finished run, by id (version 3). */
export const RUN_STORE = 'runs';
/** The six-architecture experiment under way, one record (version 3). */
export const EXPERIMENT_STORE = 'experiments';

/** The IndexedDB factory from the global scope (window or worker), or undefined. */
export function globalIndexedDb(): IDBFactory | undefined {
  return (globalThis as { indexedDB?: IDBFactory }).indexedDB ?? undefined;
}

function upgradeStudioDb(db: IDBDatabase, oldVersion: number): void {
  if (oldVersion < 1) {
    db.createObjectStore(METADATA_STORE, { keyPath: 'key' });
    const checkpoints = db.createObjectStore(CHECKPOINT_STORE, { keyPath: 'key' });
    checkpoints.createIndex(CHECKPOINT_BY_RUN_INDEX, 'runId', { unique: false });
    db.createObjectStore(CHECKPOINT_POINTER_STORE, { keyPath: 'runId' });
  }
  if (oldVersion < 2) {
    db.createObjectStore(DATASET_STORE, { keyPath: 'split' });
  }
  if (oldVersion < 3) {
    db.createObjectStore(RUN_STORE, { keyPath: 'id' });
    db.createObjectStore(EXPERIMENT_STORE, { keyPath: 'key' });
  }
}

export function openStudioDb(factory: IDBFactory | undefined): Promise<IDBDatabase> {
  if (!factory) {
    return Promise.reject(
      new StorageError('unavailable', 'This browser does not provide IndexedDB.'),
    );
  }
  return new Promise((resolve, reject) => {
    let request: IDBOpenDBRequest;
    try {
      // Firefox private windows and some policies throw here rather than fire onerror.
      request = factory.open(STUDIO_DB_NAME, STUDIO_DB_VERSION);
    } catch (error) {
      reject(unavailable(error));
      return;
    }
    request.onupgradeneeded = (event) => upgradeStudioDb(request.result, event.oldVersion);
    request.onsuccess = () => {
      const db = request.result;
      // Let a newer version of the app (another tab) upgrade the schema.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    request.onerror = () => reject(unavailable(request.error));
    request.onblocked = () =>
      reject(
        new StorageError(
          'unavailable',
          'Browser storage is blocked by another tab of this app with an older version open. ' +
            'Close the other tabs and try again.',
        ),
      );
  });
}

function unavailable(error: unknown): StorageError {
  const detail = error instanceof Error || error instanceof DOMException ? error.message : '';
  return new StorageError(
    'unavailable',
    `Browser storage (IndexedDB) cannot be opened${detail ? `: ${detail}` : ''}.`,
    { cause: error },
  );
}

export function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Resolves when the transaction commits; rejects with its error when it aborts. */
export function transactionDone(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new DOMException('Transaction aborted', 'AbortError'));
    tx.onerror = (event) => {
      // Keep the default (abort); onabort reports the error once.
      event.stopPropagation?.();
    };
  });
}

/**
 * Runs `body` in one transaction on a fresh connection and resolves with its result once the
 * transaction has committed. `body` must issue its requests synchronously (IndexedDB commits
 * a transaction as soon as it has no pending requests).
 */
export async function withStudioTransaction<T>(
  factory: IDBFactory | undefined,
  storeNames: string[],
  mode: IDBTransactionMode,
  body: (tx: IDBTransaction) => Promise<T>,
): Promise<T> {
  const db = await openStudioDb(factory);
  try {
    const tx = db.transaction(storeNames, mode);
    const done = transactionDone(tx);
    const result = body(tx);
    // Both settle; await both so a rejected request does not leave `done` unhandled.
    const [value] = await Promise.all([result, done]);
    return value;
  } finally {
    db.close();
  }
}
