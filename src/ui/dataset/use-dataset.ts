/**
 * Turns dropped files into loaded splits: classifies each file by name, asks the user for the
 * split when the name does not say, pairs IDX images with labels, and runs the loader. A split
 * in state is replaced only by a load that succeeded.
 */
import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { SplitName } from '../../config/dataset';
import { classifyFile } from '../../data/classify-file';
import { createDatasetLoader, type DatasetLoader } from '../../data/ingest-main';
import { IngestError, type IngestErrorDetails, type LoadedSplit } from '../../data/ingest-types';
import { datasetReducer, INITIAL_DATASET_STATE, type DatasetState } from './dataset-state';
import { errorMessage } from '../../shared/errors';

/** Progress reaches React state at most this often per file, so a fast parse is not slowed. */
const PROGRESS_UPDATE_INTERVAL_MS = 100;

export interface DatasetController {
  state: DatasetState;
  addFiles: (files: File[]) => void;
  chooseSplit: (unassignedId: string, split: SplitName) => void;
  /** Puts splits kept in browser storage back, unless files for them were loaded meanwhile. */
  restore: (splits: LoadedSplit[]) => void;
}

let nextLoadId = 0;
const newId = (): string => `load-${++nextLoadId}`;

function toErrorDetails(fileName: string, error: unknown): IngestErrorDetails {
  if (error instanceof IngestError) return error.details;
  const text = errorMessage(error);
  return { fileName, expected: 'a readable file', message: `${fileName}: ${text}` };
}

export function useDataset(onLoaded?: (loaded: LoadedSplit) => void): DatasetController {
  const [state, dispatch] = useReducer(datasetReducer, INITIAL_DATASET_STATE);
  const loaderRef = useRef<DatasetLoader | null>(null);
  // IDX halves waiting for their partner, by split.
  const pendingIdxRef = useRef<Partial<Record<SplitName, { images?: File; labels?: File }>>>({});
  const onLoadedRef = useRef(onLoaded);
  useEffect(() => {
    onLoadedRef.current = onLoaded;
  }, [onLoaded]);

  useEffect(
    () => () => {
      loaderRef.current?.dispose();
      loaderRef.current = null;
    },
    [],
  );

  const getLoader = useCallback((): DatasetLoader => {
    loaderRef.current ??= createDatasetLoader();
    return loaderRef.current;
  }, []);

  const runLoad = useCallback(
    (
      split: SplitName,
      displayName: string,
      totalBytes: number,
      load: (
        loader: DatasetLoader,
        onProgress: (p: {
          fileName: string;
          bytesRead: number;
          totalBytes: number;
          rows: number;
        }) => void,
      ) => Promise<LoadedSplit>,
    ) => {
      const id = newId();
      dispatch({ type: 'load-started', id, split, fileName: displayName, totalBytes });
      let lastUpdateMs = 0;
      load(getLoader(), (progress) => {
        const nowMs = performance.now();
        if (nowMs - lastUpdateMs < PROGRESS_UPDATE_INTERVAL_MS) return;
        lastUpdateMs = nowMs;
        dispatch({ type: 'load-progress', id, progress });
      }).then(
        (loaded) => {
          dispatch({ type: 'load-succeeded', id, loaded });
          onLoadedRef.current?.(loaded);
        },
        (error: unknown) =>
          dispatch({ type: 'load-failed', id, error: toErrorDetails(displayName, error) }),
      );
    },
    [getLoader],
  );

  const loadWithSplit = useCallback(
    (file: File, split: SplitName) => {
      const kind = classifyFile(file.name)?.kind ?? 'csv';
      if (kind === 'csv') {
        runLoad(split, file.name, file.size, (loader, onProgress) =>
          loader.loadCsv(file, split, onProgress),
        );
        return;
      }
      const pending = (pendingIdxRef.current[split] ??= {});
      if (kind === 'idx-images') pending.images = file;
      else pending.labels = file;
      const { images, labels } = pending;
      if (images && labels) {
        delete pendingIdxRef.current[split];
        dispatch({ type: 'idx-paired', split });
        runLoad(
          split,
          `${images.name} + ${labels.name}`,
          images.size + labels.size,
          (loader, onProgress) => loader.loadIdx(images, labels, split, onProgress),
        );
      } else {
        dispatch({
          type: 'idx-waiting',
          split,
          kind: kind === 'idx-images' ? 'images' : 'labels',
          fileName: file.name,
        });
      }
    },
    [runLoad],
  );

  const addFiles = useCallback(
    (files: File[]) => {
      dispatch({ type: 'files-dropped' });
      for (const file of files) {
        const classification = classifyFile(file.name);
        if (!classification) {
          dispatch({
            type: 'rejected',
            error: {
              fileName: file.name,
              expected:
                'a Fashion-MNIST CSV (.csv) or IDX file (*-idx3-ubyte, *-idx1-ubyte, optionally .gz)',
              message: `${file.name}: not a Fashion-MNIST file. Expected a CSV (.csv) with the header label,pixel1,…,pixel784, or an IDX file named like train-images-idx3-ubyte[.gz].`,
            },
          });
        } else if (classification.split === null) {
          dispatch({ type: 'needs-split', id: newId(), file });
        } else {
          loadWithSplit(file, classification.split);
        }
      }
    },
    [loadWithSplit],
  );

  const chooseSplit = useCallback(
    (unassignedId: string, split: SplitName) => {
      const entry = state.unassigned.find((u) => u.id === unassignedId);
      if (!entry) return;
      dispatch({ type: 'split-chosen', id: unassignedId });
      loadWithSplit(entry.file, split);
    },
    [state.unassigned, loadWithSplit],
  );

  const restore = useCallback(
    (splits: LoadedSplit[]) => dispatch({ type: 'restored', splits }),
    [],
  );

  return { state, addFiles, chooseSplit, restore };
}
