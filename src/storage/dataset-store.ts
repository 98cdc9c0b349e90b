/**
 * The loaded dataset kept in our database (studio-db.ts, store `datasets`), one record per
 * split, so that after a reload the data is back without a new upload and an interrupted run
 * can resume on exactly the rows it trained on. The full set is ~55 MB (70,000 × 785 bytes).
 *
 * A split is replaced in one `put`, so a failed write leaves the previous record as it was.
 */
import { isRecord } from '../shared/guards';
import { PIXELS_PER_IMAGE } from '../config/dataset';
import type { LoadedSplit } from '../data/ingest-types';
import { StorageError, toReadError, toWriteError } from './storage-error';
import { DATASET_STORE, globalIndexedDb, requestResult, withStudioTransaction } from './studio-db';
import { errorMessage } from '../shared/errors';

export const DATASET_SCHEMA_VERSION = 1;

/** One split as the app holds it, minus its load time: what is worth keeping. */
export type StoredSplitInput = Omit<LoadedSplit, 'elapsedMs'>;

export interface StoredSplit extends StoredSplitInput {
  schemaVersion: typeof DATASET_SCHEMA_VERSION;
  /** datasetFingerprint(images, labels). */
  fingerprint: string;
  /** ISO 8601 time of the write. */
  savedAt: string;
}

export interface DatasetStoreOptions {
  idbFactory?: IDBFactory;
  now?: () => Date;
}

export interface DatasetStore {
  /** Stores (or replaces) one split. */
  saveSplit(split: StoredSplitInput): Promise<StoredSplit>;
  /** Every stored split that passes its guard; damaged records are skipped, not thrown. */
  loadSplits(): Promise<StoredSplit[]>;
  /** Removes every stored split (the user turned keeping the data off). */
  clear(): Promise<void>;
}

/** FNV-1a-style mixing of 32-bit words, continued from `hash`. */
function mixWords(hash: number, words: Uint32Array): number {
  let h = hash;
  for (let i = 0; i < words.length; i++) {
    h ^= words[i];
    h = Math.imul(h, 0x01000193);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

function mixBytes(hash: number, bytes: Uint8Array): number {
  let h = hash;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Hashes every byte, four at a time where the view is 4-byte aligned (the usual case). */
function hashBytes(hash: number, view: Uint8Array): number {
  // An unaligned view is copied (rare) so the same bytes always give the same hash.
  const bytes = view.byteOffset % 4 === 0 ? view : view.slice();
  const wordCount = Math.floor(bytes.length / 4);
  const h = mixWords(hash, new Uint32Array(bytes.buffer, bytes.byteOffset, wordCount));
  return mixBytes(h, bytes.subarray(wordCount * 4));
}

/**
 * A short identity of one split: its row count and a 32-bit hash of every label and pixel.
 * Not cryptographic; it tells "the same file loaded again" from "another file", and is fast
 * enough to run on every load.
 */
export function datasetFingerprint(images: Uint8Array, labels: Uint8Array): string {
  const hash = hashBytes(hashBytes(0x811c9dc5, labels), images);
  return `${labels.length}:${hash.toString(16).padStart(8, '0')}`;
}

/** The key of a training run's data: both splits' fingerprints. */
export function datasetKey(
  train: { images: Uint8Array; labels: Uint8Array },
  test: { images: Uint8Array; labels: Uint8Array },
): string {
  return (
    `train:${datasetFingerprint(train.images, train.labels)}` +
    `|test:${datasetFingerprint(test.images, test.labels)}`
  );
}

/** The row counts a dataset key names (`train:<n>:<hash>|test:<n>:<hash>`), or null. */
export function countsOfDatasetKey(key: string): { train: number; test: number } | null {
  const match = /^train:(\d+):[0-9a-f]+\|test:(\d+):[0-9a-f]+$/.exec(key);
  return match ? { train: Number(match[1]), test: Number(match[2]) } : null;
}

/** null when `value` is a complete stored split, else what is wrong. */
export function findStoredSplitProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'record is missing';
  if (value.schemaVersion !== DATASET_SCHEMA_VERSION) {
    return `dataset schema version ${String(value.schemaVersion)} is not ${DATASET_SCHEMA_VERSION}`;
  }
  if (value.split !== 'train' && value.split !== 'test') return 'split is not train or test';
  if (!(value.images instanceof Uint8Array) || !(value.labels instanceof Uint8Array)) {
    return 'arrays are missing';
  }
  const count = value.count;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
    return 'row count is missing';
  }
  if (value.labels.length !== count || value.images.length !== count * PIXELS_PER_IMAGE) {
    return `arrays do not hold ${count} rows`;
  }
  if (!Array.isArray(value.sourceFiles) || !value.sourceFiles.every((f) => typeof f === 'string')) {
    return 'source file names are missing';
  }
  if (value.parser !== 'fast-csv' && value.parser !== 'papaparse' && value.parser !== 'idx') {
    return 'parser is unknown';
  }
  if (typeof value.fingerprint !== 'string' || typeof value.savedAt !== 'string') {
    return 'fingerprint or time is missing';
  }
  return null;
}

export function createDatasetStore(options: DatasetStoreOptions = {}): DatasetStore {
  const idbFactory = 'idbFactory' in options ? options.idbFactory : globalIndexedDb();
  const now = options.now ?? (() => new Date());

  async function saveSplit(input: StoredSplitInput): Promise<StoredSplit> {
    const record: StoredSplit = {
      schemaVersion: DATASET_SCHEMA_VERSION,
      split: input.split,
      images: input.images,
      labels: input.labels,
      count: input.count,
      sourceFiles: [...input.sourceFiles],
      parser: input.parser,
      fingerprint: datasetFingerprint(input.images, input.labels),
      savedAt: now().toISOString(),
    };
    const problem = findStoredSplitProblem(record);
    if (problem)
      throw new StorageError('write-failed', `Invalid ${input.split} split: ${problem}.`);
    try {
      // put() clones the arrays synchronously; the caller keeps using its own.
      await withStudioTransaction(idbFactory, [DATASET_STORE], 'readwrite', (tx) =>
        requestResult(tx.objectStore(DATASET_STORE).put(record)),
      );
    } catch (error) {
      throw toWriteError(`the ${input.split} data (${input.count} rows)`, error);
    }
    return record;
  }

  async function loadSplits(): Promise<StoredSplit[]> {
    let records: unknown[];
    try {
      records = await withStudioTransaction(idbFactory, [DATASET_STORE], 'readonly', (tx) =>
        requestResult(tx.objectStore(DATASET_STORE).getAll()),
      );
    } catch (error) {
      throw toReadError('the kept dataset', error);
    }
    return records.filter((r): r is StoredSplit => findStoredSplitProblem(r) === null);
  }

  async function clear(): Promise<void> {
    try {
      await withStudioTransaction(idbFactory, [DATASET_STORE], 'readwrite', (tx) =>
        requestResult(tx.objectStore(DATASET_STORE).clear()),
      );
    } catch (error) {
      const detail = errorMessage(error);
      throw new StorageError('write-failed', `Could not remove the kept dataset: ${detail}`, {
        cause: error,
      });
    }
  }

  return { saveSplit, loadSplits, clear };
}
