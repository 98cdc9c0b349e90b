/**
 * The storage side of keeping the loaded data (IndexedDB, ~55 MB for the full set): what is
 * kept, one queue of writes, and whether storage works here at all. Plain TypeScript that
 * reports through `setStatus`; use-kept-dataset.ts makes one per page.
 */
import type { SplitName } from '../../config/dataset';
import type { LoadedSplit } from '../../data/ingest-types';
import { errorMessage } from '../../shared/errors';
import type { DatasetStore } from '../../storage/dataset-store';
import {
  findLostSplits,
  readKeptMarks,
  updateKeptMarks,
  type LostFromStorage,
} from '../../storage/kept-marks';
import { requestPersistentStorage } from '../models/storage-estimate';
import { readKeepDataSetting, writeKeepDataSetting } from './keep-data-preference';

/** What the keep-data status line says: what storage holds or is doing, or why it cannot. */
export type KeptDatasetStatus =
  | { kind: 'off' }
  | { kind: 'restoring' }
  | { kind: 'idle' }
  | { kind: 'saving' }
  /** What browser storage holds now, e.g. after a save or a restore. */
  | { kind: 'kept'; splits: string }
  | { kind: 'error'; message: string }
  /** Data an earlier visit kept is gone (evicted by the browser, or removed outside the app). */
  | { kind: 'lost'; message: string }
  /** No usable IndexedDB here (private window, policy): nothing can be kept. */
  | { kind: 'unavailable'; message: string };

/** What the page asks of browser storage about the loaded data. */
export interface DatasetKeeper {
  /** Hands what an earlier visit kept to `restore`, unless `isCurrent()` has turned false. */
  restore: (restore: (splits: LoadedSplit[]) => void, isCurrent: () => boolean) => void;
  /** Stores a split loaded from files, when keeping is on. */
  keep: (loaded: LoadedSplit) => void;
  /** On stores `loaded` (the splits in the tab now); off removes what was kept. */
  setKeeping: (keep: boolean, loaded: LoadedSplit[]) => void;
}

/** StorageError of kind `unavailable` (checked by shape: the class lives in a lazy chunk). */
const isUnavailableError = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  (error as { kind?: unknown }).kind === 'unavailable';

const loadStore = (): Promise<DatasetStore> =>
  import('../../storage/dataset-store').then((m) => m.createDatasetStore());

const splitWord = (split: SplitName): string => (split === 'train' ? 'training' : 'test');

/** "training set (60,000 images) and test set (10,000 images)", in the order they were kept. */
const describeKept = (kept: Map<SplitName, number>): string =>
  [...kept]
    .map(([split, count]) => `${splitWord(split)} set (${count.toLocaleString('en-US')} images)`)
    .join(' and ');

/** The splits an earlier visit kept, timed as one restore. */
async function readKeptSplits(): Promise<LoadedSplit[]> {
  const store = await loadStore();
  const startedAtMs = performance.now();
  const stored = await store.loadSplits();
  const elapsedMs = performance.now() - startedAtMs;
  return stored.map((s) => ({
    split: s.split,
    images: s.images,
    labels: s.labels,
    count: s.count,
    sourceFiles: s.sourceFiles,
    parser: s.parser,
    elapsedMs,
  }));
}

/** Why the kept data could not be read: storage unusable here, or the read itself failed. */
function restoreFailure(error: unknown): KeptDatasetStatus {
  const detail = errorMessage(error);
  return isUnavailableError(error)
    ? { kind: 'unavailable', message: detail }
    : { kind: 'error', message: `The data kept in this browser could not be read: ${detail}` };
}

/** Remembers beside IndexedDB that `loaded` is kept there, so its loss can be told later. */
function markSplitKept(loaded: LoadedSplit): void {
  updateKeptMarks((marks) => ({
    ...marks,
    dataset: {
      counts: { ...marks.dataset?.counts, [loaded.split]: loaded.count },
      keptAt: new Date().toISOString(),
    },
  }));
}

/** The lost splits are said once: the marks drop them. */
function forgetLostSplits(lost: LostFromStorage): void {
  if (lost.splits.length === 0) return;
  updateKeptMarks((marks) => {
    const counts = { ...marks.dataset?.counts };
    for (const { split } of lost.splits) delete counts[split];
    const hasAny = Object.keys(counts).length > 0;
    return {
      ...marks,
      dataset: hasAny && marks.dataset ? { ...marks.dataset, counts } : undefined,
    };
  });
}

/** What the page says when kept data is gone. */
function lostStatus(lost: LostFromStorage): KeptDatasetStatus {
  const what = lost.splits
    .map(({ split, count }) => `${splitWord(split)} set (${count.toLocaleString('en-US')} images)`)
    .join(' and ');
  const when = lost.keptAt ? ` on ${new Date(lost.keptAt).toLocaleString()}` : '';
  return {
    kind: 'lost',
    message:
      `The ${what} kept in this browser${when} is gone: the browser removed it (browsers may ` +
      'do so when disk space runs low and storage is not persistent), or its database was ' +
      'deleted. Load the files again.',
  };
}

/** One keeper per page; `setStatus` receives every change of what the status line says. */
export function createDatasetKeeper(setStatus: (status: KeptDatasetStatus) => void): DatasetKeeper {
  /** Splits stored so far (for the status line): image count by split. */
  const kept = new Map<SplitName, number>();
  /** Set when storage turned out to be unusable: then nothing is tried (or alerted) again. */
  let isUnavailable = false;
  /** Writes run one after another, so "off" can never be overtaken by a late save. */
  let queue: Promise<unknown> = Promise.resolve();
  const enqueue = (task: () => Promise<void>) => {
    queue = queue.then(task, task);
  };
  const keptStatus = (): KeptDatasetStatus =>
    kept.size > 0 ? { kind: 'kept', splits: describeKept(kept) } : { kind: 'idle' };

  const restore: DatasetKeeper['restore'] = (restoreSplits, isCurrent) =>
    enqueue(async () => {
      try {
        const splits = await readKeptSplits();
        if (!isCurrent()) return;
        restoreSplits(splits);
        for (const s of splits) kept.set(s.split, s.count);
        const lost = findLostSplits(readKeptMarks(), [...kept.keys()]);
        setStatus(lost.splits.length > 0 ? lostStatus(lost) : keptStatus());
        forgetLostSplits(lost);
      } catch (error) {
        if (!isCurrent()) return;
        const failure = restoreFailure(error);
        if (failure.kind === 'unavailable') isUnavailable = true;
        setStatus(failure);
      }
    });

  const keep = (loaded: LoadedSplit) => {
    if (!readKeepDataSetting() || isUnavailable) return;
    setStatus({ kind: 'saving' });
    enqueue(async () => {
      try {
        // Kept data is worth little if the browser may evict it: ask to keep it for good.
        await requestPersistentStorage();
        await (await loadStore()).saveSplit(loaded);
        kept.set(loaded.split, loaded.count);
        markSplitKept(loaded);
        setStatus(keptStatus());
      } catch (error) {
        // The split stays loaded in the tab; what was kept before stays kept.
        setStatus({
          kind: 'error',
          message: `The ${splitWord(loaded.split)} set is loaded in this tab but could not be kept in this browser. ${errorMessage(error)}`,
        });
      }
    });
  };

  const clear = () =>
    enqueue(async () => {
      try {
        await (await loadStore()).clear();
        kept.clear();
        updateKeptMarks(({ run }) => ({ run }));
      } catch (error) {
        setStatus({
          kind: 'error',
          message: `The data kept in this browser could not be removed: ${errorMessage(error)}`,
        });
      }
    });

  const setKeeping = (keepData: boolean, loaded: LoadedSplit[]) => {
    writeKeepDataSetting(keepData);
    if (isUnavailable) return;
    if (keepData) {
      setStatus(keptStatus());
      for (const split of loaded) keep(split);
      return;
    }
    setStatus({ kind: 'off' });
    clear();
  };

  return { restore, keep, setKeeping };
}
