/**
 * Reading a file as a split the app already knows: a CSV at once, IDX files once both halves
 * are in, an archive for every split it holds. Each read runs in the dataset loader (a
 * worker), reports its progress on a throttle, and ends in `load-succeeded`, `archive-loaded`
 * or `load-failed`.
 */
import { useCallback, useEffect, useRef, type Dispatch } from 'react';
import type { SplitName } from '../../config/dataset';
import { classifyFile } from '../../data/classify-file';
import { createDatasetLoader, type DatasetLoader } from '../../data/ingest-main';
import type { ArchiveResult, IngestProgress, LoadedSplit } from '../../data/ingest-types';
import { useLatestRef } from '../hooks/use-latest-ref';
import type { DatasetAction } from './dataset-state';
import { addIdxHalf, replacedHalfNote, type PendingIdxHalves } from './idx-pairs';
import { toErrorDetails } from './ingest-problems';

/** Progress reaches React state at most this often per file, so a fast parse is not slowed. */
const PROGRESS_UPDATE_INTERVAL_MS = 100;

type ReadSplit = (
  loader: DatasetLoader,
  onProgress: (progress: IngestProgress) => void,
) => Promise<LoadedSplit | ArchiveResult>;

/** The tab's dataset loader, made on first use and disposed with the component. */
function useDatasetLoader(): () => DatasetLoader {
  const loaderRef = useRef<DatasetLoader | null>(null);
  useEffect(
    () => () => {
      loaderRef.current?.dispose();
      loaderRef.current = null;
    },
    [],
  );
  return useCallback(() => (loaderRef.current ??= createDatasetLoader()), []);
}

/** Runs one read, shown under `displayName` while it lasts. */
function useRunLoad(
  dispatch: Dispatch<DatasetAction>,
  newId: () => string,
  onLoaded?: (loaded: LoadedSplit) => void,
) {
  const getLoader = useDatasetLoader();
  const onLoadedRef = useLatestRef(onLoaded);
  return useCallback(
    (split: SplitName | null, displayName: string, totalBytes: number, read: ReadSplit) => {
      const id = newId();
      dispatch({ type: 'load-started', id, split, fileName: displayName, totalBytes });
      let lastUpdateMs = 0;
      read(getLoader(), (progress) => {
        const nowMs = performance.now();
        if (nowMs - lastUpdateMs < PROGRESS_UPDATE_INTERVAL_MS) return;
        lastUpdateMs = nowMs;
        dispatch({ type: 'load-progress', id, progress });
      }).then(
        (loaded) => {
          if ('splits' in loaded) {
            dispatch({ type: 'archive-loaded', id, result: loaded });
            for (const one of loaded.splits) onLoadedRef.current?.(one);
            return;
          }
          dispatch({ type: 'load-succeeded', id, loaded });
          onLoadedRef.current?.(loaded);
        },
        (error: unknown) =>
          dispatch({ type: 'load-failed', id, error: toErrorDetails(displayName, error) }),
      );
    },
    [dispatch, newId, getLoader, onLoadedRef],
  );
}

/** The same file given again (a second drop of it), which replaces nothing worth a word. */
const isSameFile = (a: File, b: File): boolean =>
  a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;

export interface SplitLoads {
  /** Loads `file` as `split`; an IDX half waits (and says so) until its partner arrives. */
  loadFile: (file: File, split: SplitName) => void;
  /** Loads both halves of one split's IDX data. */
  loadIdxPair: (images: File, labels: File, split: SplitName) => void;
  /** Loads every split a ZIP archive holds, or only `splits`. */
  loadArchive: (archive: File, splits?: SplitName[]) => void;
}

export function useSplitLoads(
  dispatch: Dispatch<DatasetAction>,
  newId: () => string,
  onLoaded?: (loaded: LoadedSplit) => void,
): SplitLoads {
  const runLoad = useRunLoad(dispatch, newId, onLoaded);
  const pendingIdxRef = useRef<PendingIdxHalves>({});
  const loadIdxPair = useCallback(
    (images: File, labels: File, split: SplitName) =>
      runLoad(
        split,
        `${images.name} + ${labels.name}`,
        images.size + labels.size,
        (loader, onProgress) => loader.loadIdx(images, labels, split, onProgress),
      ),
    [runLoad],
  );
  const loadArchive = useCallback(
    (archive: File, splits?: SplitName[]) =>
      runLoad(
        splits?.length === 1 ? splits[0] : null,
        archive.name,
        archive.size,
        (loader, onProgress) => loader.loadArchive(archive, onProgress, splits),
      ),
    [runLoad],
  );
  const loadFile = useCallback(
    (file: File, split: SplitName) => {
      const kind = classifyFile(file.name)?.kind ?? 'csv';
      if (kind === 'zip') {
        loadArchive(file);
        return;
      }
      if (kind === 'csv') {
        runLoad(split, file.name, file.size, (loader, onProgress) =>
          loader.loadCsv(file, split, onProgress),
        );
        return;
      }
      const { pair, replaced } = addIdxHalf(pendingIdxRef.current, split, kind, file);
      if (replaced && !isSameFile(replaced, file)) {
        dispatch({ type: 'notes', notes: [replacedHalfNote(split, kind, file, replaced)] });
      }
      if (!pair) {
        const waitingFor = kind === 'idx-images' ? 'images' : 'labels';
        dispatch({ type: 'idx-waiting', split, kind: waitingFor, fileName: file.name });
        return;
      }
      dispatch({ type: 'idx-paired', split });
      loadIdxPair(pair.images, pair.labels, split);
    },
    [dispatch, runLoad, loadIdxPair, loadArchive],
  );
  return { loadFile, loadIdxPair, loadArchive };
}
