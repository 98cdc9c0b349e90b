/**
 * The one error type the storage layer throws, with a kind the UI can switch on and a message
 * a person can read. The original IndexedDB / tfjs error stays in `cause`.
 */
import { errorMessage } from '../shared/errors';

export type StorageErrorKind =
  /** The browser refused to store more (QuotaExceededError). */
  | 'quota-exceeded'
  /** IndexedDB is missing, blocked (private mode, policy) or tfjs cannot reach it. */
  | 'unavailable'
  | 'not-found'
  /** A record exists but fails its type guard (other schema version, damaged). */
  | 'unreadable'
  | 'write-failed'
  | 'read-failed';

export class StorageError extends Error {
  readonly kind: StorageErrorKind;

  constructor(kind: StorageErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
    this.kind = kind;
  }
}

/**
 * Browsers name a full disk differently: Chrome and Safari use QuotaExceededError, old Firefox
 * NS_ERROR_DOM_QUOTA_REACHED; tfjs passes the IDBRequest's DOMException through unchanged.
 */
export function isQuotaError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const name = (error as { name?: unknown }).name;
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}

/** Wraps any failure of a write in a StorageError that says whether the disk was full. */
export function toWriteError(what: string, error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  if (isQuotaError(error)) {
    return new StorageError(
      'quota-exceeded',
      `Not enough browser storage to save ${what}: the storage quota is exceeded. ` +
        'Delete saved models or free disk space, then try again.',
      { cause: error },
    );
  }
  return new StorageError('write-failed', `Could not save ${what}: ${errorMessage(error)}`, {
    cause: error,
  });
}

export function toReadError(what: string, error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  return new StorageError('read-failed', `Could not read ${what}: ${errorMessage(error)}`, {
    cause: error,
  });
}
