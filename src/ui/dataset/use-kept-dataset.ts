/**
 * Keeps the loaded dataset in browser storage (IndexedDB, ~55 MB for the full set) so that a
 * reload brings it back without a new upload, and an interrupted run can resume on the same
 * rows. On by default; the person can turn it off, which also removes what was kept.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { LoadedSplit } from '../../data/ingest-types';
import type { DatasetStore } from '../../storage/dataset-store';
import { errorMessage } from '../../shared/errors';

/** localStorage key of the setting (a preference, not data: it may live in localStorage). */
export const KEEP_DATA_SETTING_KEY = 'fashion-mnist-studio.keep-data';

export type KeptDatasetStatus =
  | { kind: 'off' }
  | { kind: 'restoring' }
  | { kind: 'idle' }
  | { kind: 'saving' }
  /** What browser storage holds now, e.g. after a save or a restore. */
  | { kind: 'kept'; splits: string }
  | { kind: 'error'; message: string }
  /** No usable IndexedDB here (private window, policy): nothing can be kept. */
  | { kind: 'unavailable'; message: string };

export interface KeptDataset {
  isKeepingData: boolean;
  /** Turning it on stores `loaded` (the splits in the tab now); off removes what was kept. */
  setKeepingData: (keep: boolean, loaded: LoadedSplit[]) => void;
  status: KeptDatasetStatus;
  /** Call with every split loaded from files; stores it when keeping is on. */
  keep: (loaded: LoadedSplit) => void;
}

/** StorageError of kind `unavailable` (checked by shape: the class lives in a lazy chunk). */
const isUnavailableError = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  (error as { kind?: unknown }).kind === 'unavailable';

function readSetting(): boolean {
  try {
    return window.localStorage.getItem(KEEP_DATA_SETTING_KEY) !== 'false';
  } catch {
    // Storage blocked entirely: the default stands, and the store will report why it fails.
    return true;
  }
}

function writeSetting(keep: boolean): void {
  try {
    window.localStorage.setItem(KEEP_DATA_SETTING_KEY, String(keep));
  } catch {
    // Nothing to do: the setting then lasts for this visit only.
  }
}

const loadStore = (): Promise<DatasetStore> =>
  import('../../storage/dataset-store').then((m) => m.createDatasetStore());

const describe = (splits: { split: string; count: number }[]): string =>
  splits
    .map(
      (s) =>
        `${s.split === 'train' ? 'training' : 'test'} set (${s.count.toLocaleString('en-US')} images)`,
    )
    .join(' and ');

/**
 * @param restore receives the kept splits once, on mount, when keeping is on.
 */
export function useKeptDataset(restore: (splits: LoadedSplit[]) => void): KeptDataset {
  const [isKeepingData, setIsKeepingData] = useState(readSetting);
  const [status, setStatus] = useState<KeptDatasetStatus>(() =>
    isKeepingData ? { kind: 'restoring' } : { kind: 'off' },
  );
  const restoreRef = useRef(restore);
  useEffect(() => {
    restoreRef.current = restore;
  }, [restore]);
  /** Splits stored so far (for the status line), by split name. */
  const keptRef = useRef(new Map<string, number>());
  /** Set when storage turned out to be unusable: then nothing is tried (or alerted) again. */
  const isUnavailableRef = useRef(false);
  /** Writes run one after another, so "off" can never be overtaken by a late save. */
  const queueRef = useRef<Promise<unknown>>(Promise.resolve());

  const enqueue = useCallback((task: () => Promise<void>) => {
    queueRef.current = queueRef.current.then(task, task);
  }, []);

  const keptStatus = useCallback((): KeptDatasetStatus => {
    const splits = [...keptRef.current].map(([split, count]) => ({ split, count }));
    return splits.length > 0 ? { kind: 'kept', splits: describe(splits) } : { kind: 'idle' };
  }, []);

  useEffect(() => {
    if (!readSetting()) return;
    let isCurrent = true;
    enqueue(async () => {
      try {
        const store = await loadStore();
        const startedAtMs = performance.now();
        const stored = await store.loadSplits();
        if (!isCurrent) return;
        const elapsedMs = performance.now() - startedAtMs;
        restoreRef.current(
          stored.map((s) => ({
            split: s.split,
            images: s.images,
            labels: s.labels,
            count: s.count,
            sourceFiles: s.sourceFiles,
            parser: s.parser,
            elapsedMs,
          })),
        );
        for (const s of stored) keptRef.current.set(s.split, s.count);
        setStatus(keptStatus());
      } catch (error) {
        if (!isCurrent) return;
        const detail = errorMessage(error);
        if (isUnavailableError(error)) {
          isUnavailableRef.current = true;
          setStatus({ kind: 'unavailable', message: detail });
          return;
        }
        setStatus({
          kind: 'error',
          message: `The data kept in this browser could not be read: ${detail}`,
        });
      }
    });
    return () => {
      isCurrent = false;
    };
  }, [enqueue, keptStatus]);

  const keep = useCallback(
    (loaded: LoadedSplit) => {
      if (!readSetting() || isUnavailableRef.current) return;
      setStatus({ kind: 'saving' });
      enqueue(async () => {
        try {
          const store = await loadStore();
          await store.saveSplit(loaded);
          keptRef.current.set(loaded.split, loaded.count);
          setStatus(keptStatus());
        } catch (error) {
          // The split stays loaded in the tab; what was kept before stays kept.
          const detail = errorMessage(error);
          setStatus({
            kind: 'error',
            message: `The ${loaded.split === 'train' ? 'training' : 'test'} set is loaded in this tab but could not be kept in this browser. ${detail}`,
          });
        }
      });
    },
    [enqueue, keptStatus],
  );

  const setKeepingData = useCallback(
    (keepData: boolean, loaded: LoadedSplit[]) => {
      writeSetting(keepData);
      setIsKeepingData(keepData);
      if (isUnavailableRef.current) return;
      if (keepData) {
        setStatus(keptStatus());
        for (const split of loaded) keep(split);
        return;
      }
      setStatus({ kind: 'off' });
      enqueue(async () => {
        try {
          await (await loadStore()).clear();
          keptRef.current.clear();
        } catch (error) {
          setStatus({
            kind: 'error',
            message: `The data kept in this browser could not be removed: ${errorMessage(error)}`,
          });
        }
      });
    },
    [enqueue, keptStatus, keep],
  );

  return { isKeepingData, setKeepingData, status, keep };
}
