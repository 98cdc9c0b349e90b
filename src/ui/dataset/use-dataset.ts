/**
 * Turns dropped files into loaded splits: classifies each file by name, asks the user for the
 * split when the name does not say (or which source to use when a split is given twice),
 * pairs IDX images with labels, opens archives, and runs the loader. A split in state is
 * replaced only by a load that succeeded.
 */
import { useCallback, useReducer } from 'react';
import type { SplitName } from '../../config/dataset';
import { planDatasetSources, type SplitSource } from '../../data/dataset-sources';
import type { LoadedSplit } from '../../data/ingest-types';
import { useSequentialIds } from '../hooks/use-sequential-ids';
import { datasetReducer, INITIAL_DATASET_STATE, type DatasetState } from './dataset-state';
import { ignoredInFolder, notFashionMnistFile } from './ingest-problems';
import { useSplitLoads } from './use-split-loads';

export interface AddFilesOptions {
  /** The files are a folder's contents: files that are not dataset files are skipped, noted. */
  isFolder?: boolean;
}

export interface DatasetController {
  state: DatasetState;
  addFiles: (files: File[], options?: AddFilesOptions) => void;
  chooseSplit: (unassignedId: string, split: SplitName) => void;
  /** Uses one of the sources offered for a split given twice. */
  chooseSource: (conflictId: string, optionIndex: number) => void;
  /** Puts splits kept in browser storage back, unless files for them were loaded meanwhile. */
  restore: (splits: LoadedSplit[]) => void;
}

/** The path a file is known by: inside its folder when it came from one. */
const pathOf = (file: File): string => file.webkitRelativePath || file.name;

/** `onLoaded` hears of every split loaded from files (not of restored ones). */
export function useDataset(onLoaded?: (loaded: LoadedSplit) => void): DatasetController {
  const [state, dispatch] = useReducer(datasetReducer, INITIAL_DATASET_STATE);
  // Unique per load, so two files with one name do not collide.
  const newId = useSequentialIds('load');
  const { loadFile, loadIdxPair, loadArchive } = useSplitLoads(dispatch, newId, onLoaded);

  const loadSource = useCallback(
    (split: SplitName, source: SplitSource<File>) => {
      if (source.kind === 'csv') loadFile(source.csv.item, split);
      else loadIdxPair(source.images.item, source.labels.item, split);
    },
    [loadFile, loadIdxPair],
  );

  const addFiles = useCallback(
    (files: File[], options: AddFilesOptions = {}) => {
      dispatch({ type: 'files-dropped' });
      const plan = planDatasetSources(
        files.map((file) => ({ name: pathOf(file), item: file })),
        'ask',
      );
      if (plan.notes.length > 0) dispatch({ type: 'notes', notes: plan.notes });
      for (const archive of plan.archives) loadArchive(archive.item);
      for (const { split, source } of plan.chosen) loadSource(split, source);
      for (const half of plan.idxHalves) loadFile(half.source.item, half.split);
      for (const { split, options: choices } of plan.conflicts) {
        dispatch({ type: 'conflict', conflict: { id: newId(), split, options: choices } });
      }
      for (const unknown of plan.unknownSplit) {
        dispatch({ type: 'needs-split', id: newId(), file: unknown.item });
      }
      if (options.isFolder && plan.unrelated.length > 0) {
        dispatch({ type: 'notes', notes: [ignoredInFolder(plan.unrelated.map((u) => u.name))] });
      } else {
        for (const unrelated of plan.unrelated) {
          dispatch({ type: 'rejected', error: notFashionMnistFile(unrelated.name) });
        }
      }
    },
    [newId, loadArchive, loadFile, loadSource],
  );

  const chooseSplit = useCallback(
    (unassignedId: string, split: SplitName) => {
      const entry = state.unassigned.find((u) => u.id === unassignedId);
      if (!entry) return;
      dispatch({ type: 'split-chosen', id: unassignedId });
      loadFile(entry.file, split);
    },
    [state.unassigned, loadFile],
  );

  const chooseSource = useCallback(
    (conflictId: string, optionIndex: number) => {
      const conflict = state.conflicts.find((c) => c.id === conflictId);
      const source = conflict?.options[optionIndex];
      if (!conflict || !source) return;
      dispatch({ type: 'conflict-resolved', id: conflictId });
      loadSource(conflict.split, source);
    },
    [state.conflicts, loadSource],
  );

  const restore = useCallback(
    (splits: LoadedSplit[]) => dispatch({ type: 'restored', splits }),
    [],
  );

  return { state, addFiles, chooseSplit, chooseSource, restore };
}
