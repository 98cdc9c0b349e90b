import { useCallback, useState } from 'react';
import { errorMessage } from '../../shared/errors';

/** The state of the latest storage operation, and how to run the next. */
export interface StorageOperation {
  isBusy: boolean;
  /** Why the latest operation failed, for the alert. */
  error: string | null;
  /** What the latest operation did, for the status line. */
  notice: string | null;
  setNotice: (notice: string) => void;
  /** Runs `operation` with the busy flag set; resolves null when it failed. */
  run: <T>(operation: () => Promise<T>) => Promise<T | null>;
  clearMessages: () => void;
}

/** One storage operation at a time as the panel shows it: busy, then a notice or an alert. */
export function useStorageOperation(): StorageOperation {
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const run = useCallback(async <T>(operation: () => Promise<T>): Promise<T | null> => {
    setIsBusy(true);
    setError(null);
    setNotice(null);
    try {
      return await operation();
    } catch (e) {
      setError(errorMessage(e));
      return null;
    } finally {
      setIsBusy(false);
    }
  }, []);

  const clearMessages = useCallback(() => {
    setError(null);
    setNotice(null);
  }, []);

  return { isBusy, error, notice, setNotice, run, clearMessages };
}
