/**
 * Turns dropped files into loaded splits: classifies each file by name, lists the archives'
 * directories and plans the drop as a whole (planDrop: one source per split, what is left out
 * said), asks the user for the split when the name does not say (or which source to use when
 * a split is given twice), pairs IDX images with labels, and runs the loader. A split in
 * state is replaced only by a load that succeeded.
 */
import { useCallback, useReducer, type Dispatch } from 'react';
import type { SplitName } from '../../config/dataset';
import { classifyFile } from '../../data/classify-file';
import type { NamedSource, SplitSource } from '../../data/dataset-sources';
import {
  noDatasetFilesError,
  planDrop,
  type DropItem,
  type DropPlan,
} from '../../data/dataset-sources-drop';
import type { LoadedSplit } from '../../data/ingest-types';
import { useSequentialIds } from '../hooks/use-sequential-ids';
import {
  datasetReducer,
  INITIAL_DATASET_STATE,
  type DatasetAction,
  type DatasetState,
} from './dataset-state';
import { ignoredInFolder, notFashionMnistFile, toErrorDetails } from './ingest-problems';
import { useSplitLoads, type SplitLoads } from './use-split-loads';

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

/** A loose file of a conflict's option (archive entries are loaded through their archive). */
function fileOf(item: DropItem<File>): File {
  return item.kind === 'file' ? item.file : item.archive;
}

/** The entry paths of each archive's directory; the archives whose directory cannot be read. */
async function listArchives(archives: NamedSource<File>[]): Promise<{
  listed: Map<File, string[]>;
  failed: { archive: NamedSource<File>; error: unknown }[];
}> {
  const listed = new Map<File, string[]>();
  const failed: { archive: NamedSource<File>; error: unknown }[] = [];
  // Loaded with the first archive: most drops have none, and the first screen goes without.
  const { listZipEntries } = await import('../../data/zip-directory');
  await Promise.all(
    archives.map(async (archive) => {
      try {
        const entries = await listZipEntries(archive.item, archive.name);
        listed.set(
          archive.item,
          entries.map((e) => e.path),
        );
      } catch (error) {
        failed.push({ archive, error });
      }
    }),
  );
  return { listed, failed };
}

/** Starts what a drop's plan says: the reads, the questions, the notes and the rejections. */
function useStartPlan(
  dispatch: Dispatch<DatasetAction>,
  newId: () => string,
  { loadFile, loadIdxPair, loadArchive }: SplitLoads,
) {
  return useCallback(
    (plan: DropPlan<File>, options: AddFilesOptions) => {
      if (plan.notes.length > 0) dispatch({ type: 'notes', notes: plan.notes });
      for (const { archive, splits } of plan.archiveReads) loadArchive(archive.item, splits);
      for (const { split, source } of plan.chosen) {
        if (source.kind === 'csv') loadFile(source.csv.item, split);
        else loadIdxPair(source.images.item, source.labels.item, split);
      }
      for (const half of plan.idxHalves) loadFile(half.source.item, half.split);
      for (const { split, options: choices } of plan.conflicts) {
        dispatch({ type: 'conflict', conflict: { id: newId(), split, options: choices } });
      }
      for (const unknown of plan.unknownSplit) {
        dispatch({ type: 'needs-split', id: newId(), file: unknown.item });
      }
      for (const { archive, entryPaths } of plan.emptyArchives) {
        dispatch({
          type: 'rejected',
          error: noDatasetFilesError(archive.name, entryPaths).details,
        });
      }
      if (options.isFolder && plan.unrelated.length > 0) {
        dispatch({ type: 'notes', notes: [ignoredInFolder(plan.unrelated.map((u) => u.name))] });
      } else {
        for (const unrelated of plan.unrelated) {
          dispatch({ type: 'rejected', error: notFashionMnistFile(unrelated.name) });
        }
      }
    },
    [dispatch, newId, loadArchive, loadFile, loadIdxPair],
  );
}

/** `onLoaded` hears of every split loaded from files (not of restored ones). */
export function useDataset(onLoaded?: (loaded: LoadedSplit) => void): DatasetController {
  const [state, dispatch] = useReducer(datasetReducer, INITIAL_DATASET_STATE);
  // Unique per load, so two files with one name do not collide.
  const newId = useSequentialIds('load');
  const loads = useSplitLoads(dispatch, newId, onLoaded);
  const { loadFile, loadIdxPair, loadArchive } = loads;

  const loadSource = useCallback(
    (split: SplitName, source: SplitSource<DropItem<File>>) => {
      const first = source.kind === 'csv' ? source.csv.item : source.images.item;
      if (first.kind === 'entry') loadArchive(first.archive, [split]);
      else if (source.kind === 'csv') loadFile(fileOf(source.csv.item), split);
      else loadIdxPair(fileOf(source.images.item), fileOf(source.labels.item), split);
    },
    [loadFile, loadIdxPair, loadArchive],
  );

  const startPlan = useStartPlan(dispatch, newId, loads);

  const addFiles = useCallback(
    (files: File[], options: AddFilesOptions = {}) => {
      dispatch({ type: 'files-dropped' });
      const named = files.map((file) => ({ name: pathOf(file), item: file }));
      const archives = named.filter((n) => classifyFile(n.name)?.kind === 'zip');
      if (archives.length === 0) {
        startPlan(planDrop(named, new Map()), options);
        return;
      }
      // Archives are planned with the other files, so their directories are read first (the
      // end of each file only); one that cannot be read is rejected by name, the rest go on.
      void listArchives(archives).then(
        (directories) => {
          for (const { archive, error } of directories.failed) {
            dispatch({ type: 'rejected', error: toErrorDetails(archive.name, error) });
          }
          startPlan(planDrop(named, directories.listed), options);
        },
        // The reader's module did not load (a deploy replaced it): the archives are refused
        // by name and the other files still load.
        (error: unknown) => {
          for (const archive of archives) {
            dispatch({ type: 'rejected', error: toErrorDetails(archive.name, error) });
          }
          startPlan(planDrop(named, new Map()), options);
        },
      );
    },
    [startPlan],
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
