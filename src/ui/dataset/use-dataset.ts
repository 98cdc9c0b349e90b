/**
 * Turns dropped files into loaded splits: classifies each file by name, asks the user for the
 * split when the name does not say, pairs IDX images with labels, and runs the loader. A split
 * in state is replaced only by a load that succeeded.
 */
import { useCallback, useReducer } from 'react';
import type { SplitName } from '../../config/dataset';
import { classifyFile } from '../../data/classify-file';
import type { LoadedSplit } from '../../data/ingest-types';
import { useSequentialIds } from '../hooks/use-sequential-ids';
import { datasetReducer, INITIAL_DATASET_STATE, type DatasetState } from './dataset-state';
import { notFashionMnistFile } from './ingest-problems';
import { useSplitLoads } from './use-split-loads';

export interface DatasetController {
  state: DatasetState;
  addFiles: (files: File[]) => void;
  chooseSplit: (unassignedId: string, split: SplitName) => void;
  /** Puts splits kept in browser storage back, unless files for them were loaded meanwhile. */
  restore: (splits: LoadedSplit[]) => void;
}

/** `onLoaded` hears of every split loaded from files (not of restored ones). */
export function useDataset(onLoaded?: (loaded: LoadedSplit) => void): DatasetController {
  const [state, dispatch] = useReducer(datasetReducer, INITIAL_DATASET_STATE);
  // Unique per load, so two files with one name do not collide.
  const newId = useSequentialIds('load');
  const loadWithSplit = useSplitLoads(dispatch, newId, onLoaded);

  const addFiles = useCallback(
    (files: File[]) => {
      dispatch({ type: 'files-dropped' });
      for (const file of files) {
        const classification = classifyFile(file.name);
        if (!classification) {
          dispatch({ type: 'rejected', error: notFashionMnistFile(file.name) });
        } else if (classification.split === null) {
          dispatch({ type: 'needs-split', id: newId(), file });
        } else {
          loadWithSplit(file, classification.split);
        }
      }
    },
    [newId, loadWithSplit],
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
