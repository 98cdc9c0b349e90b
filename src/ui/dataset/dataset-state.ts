/**
 * Dataset state for the UI: which splits are loaded, which files are being read, which wait
 * for the user to say their split, and which were rejected. One reducer because one event
 * (a file finishing) changes several of these at once.
 */
import type { SplitName } from '../../config/dataset';
import type { SplitSource } from '../../data/dataset-sources';
import type { DropItem } from '../../data/dataset-sources-drop';
import type {
  ArchiveResult,
  IngestErrorDetails,
  IngestProgress,
  LoadedSplit,
} from '../../data/ingest-types';

export interface LoadingFile extends IngestProgress {
  /** Unique per load, so two files with one name do not collide. */
  id: string;
  /** Null for an archive, which may hold both splits. */
  split: SplitName | null;
}

/**
 * A split given twice in one drop (two training CSVs, two IDX pairs, two archives): the person
 * picks.
 */
export interface SourceConflict {
  id: string;
  split: SplitName;
  options: SplitSource<DropItem<File>>[];
}

export interface UnassignedFile {
  id: string;
  file: File;
}

export interface DatasetState {
  splits: Partial<Record<SplitName, LoadedSplit>>;
  loading: LoadingFile[];
  unassigned: UnassignedFile[];
  /** Errors from the latest files the user gave; a new drop clears them. */
  errors: IngestErrorDetails[];
  /** IDX files waiting for their partner (images need labels and the other way round). */
  waitingIdx: { split: SplitName; kind: 'images' | 'labels'; fileName: string }[];
  /** Splits that came back from browser storage rather than from files in this visit. */
  restored: SplitName[];
  /** What was used when there was a choice, and what was ignored; a new drop clears them. */
  notes: string[];
  conflicts: SourceConflict[];
}

export type DatasetAction =
  | { type: 'files-dropped' }
  | {
      type: 'load-started';
      id: string;
      split: SplitName | null;
      fileName: string;
      totalBytes: number;
    }
  | { type: 'load-progress'; id: string; progress: IngestProgress }
  | { type: 'load-succeeded'; id: string; loaded: LoadedSplit }
  | { type: 'load-failed'; id: string; error: IngestErrorDetails }
  /** An archive was read: its splits replace the loaded ones, its failures become alerts. */
  | { type: 'archive-loaded'; id: string; result: ArchiveResult }
  | { type: 'notes'; notes: string[] }
  | { type: 'conflict'; conflict: SourceConflict }
  | { type: 'conflict-resolved'; id: string }
  | { type: 'rejected'; error: IngestErrorDetails }
  | { type: 'needs-split'; id: string; file: File }
  | { type: 'split-chosen'; id: string }
  | { type: 'idx-waiting'; split: SplitName; kind: 'images' | 'labels'; fileName: string }
  | { type: 'idx-paired'; split: SplitName }
  /** Splits kept in browser storage on an earlier visit; files loaded meanwhile win. */
  | { type: 'restored'; splits: LoadedSplit[] };

export const INITIAL_DATASET_STATE: DatasetState = {
  splits: {},
  loading: [],
  unassigned: [],
  errors: [],
  waitingIdx: [],
  restored: [],
  notes: [],
  conflicts: [],
};

/** The actions about where splits come from: archives, notes and conflicting sources. */
function sourcesReducer(
  state: DatasetState,
  action: Extract<
    DatasetAction,
    { type: 'archive-loaded' | 'notes' | 'conflict' | 'conflict-resolved' }
  >,
): DatasetState {
  switch (action.type) {
    case 'archive-loaded': {
      const splits = { ...state.splits };
      for (const loaded of action.result.splits) splits[loaded.split] = loaded;
      const replaced = action.result.splits.map((l) => l.split);
      return {
        ...state,
        loading: state.loading.filter((l) => l.id !== action.id),
        splits,
        restored: state.restored.filter((split) => !replaced.includes(split)),
        errors: [...state.errors, ...action.result.failures],
        notes: [...state.notes, ...action.result.notes],
      };
    }
    case 'notes':
      return { ...state, notes: [...state.notes, ...action.notes] };
    case 'conflict':
      return {
        ...state,
        conflicts: [
          ...state.conflicts.filter((c) => c.split !== action.conflict.split),
          action.conflict,
        ],
      };
    case 'conflict-resolved':
      return { ...state, conflicts: state.conflicts.filter((c) => c.id !== action.id) };
  }
}

export function datasetReducer(state: DatasetState, action: DatasetAction): DatasetState {
  switch (action.type) {
    case 'files-dropped':
      return { ...state, errors: [], notes: [] };
    case 'load-started':
      return {
        ...state,
        loading: [
          ...state.loading,
          {
            id: action.id,
            split: action.split,
            fileName: action.fileName,
            bytesRead: 0,
            totalBytes: action.totalBytes,
            rows: 0,
          },
        ],
      };
    case 'load-progress':
      return {
        ...state,
        loading: state.loading.map((l) => (l.id === action.id ? { ...l, ...action.progress } : l)),
      };
    case 'load-succeeded':
      // Only now does the new split replace the old one: a failed load never gets here.
      return {
        ...state,
        loading: state.loading.filter((l) => l.id !== action.id),
        splits: { ...state.splits, [action.loaded.split]: action.loaded },
        restored: state.restored.filter((split) => split !== action.loaded.split),
      };
    case 'load-failed':
      return {
        ...state,
        loading: state.loading.filter((l) => l.id !== action.id),
        errors: [...state.errors, action.error],
      };
    case 'archive-loaded':
    case 'notes':
    case 'conflict':
    case 'conflict-resolved':
      return sourcesReducer(state, action);
    case 'rejected':
      return { ...state, errors: [...state.errors, action.error] };
    case 'needs-split':
      return { ...state, unassigned: [...state.unassigned, { id: action.id, file: action.file }] };
    case 'split-chosen':
      return { ...state, unassigned: state.unassigned.filter((u) => u.id !== action.id) };
    case 'idx-waiting':
      return {
        ...state,
        waitingIdx: [
          ...state.waitingIdx.filter((w) => !(w.split === action.split && w.kind === action.kind)),
          { split: action.split, kind: action.kind, fileName: action.fileName },
        ],
      };
    case 'idx-paired':
      return { ...state, waitingIdx: state.waitingIdx.filter((w) => w.split !== action.split) };
    case 'restored': {
      const fresh = action.splits.filter(
        (loaded) =>
          !state.splits[loaded.split] &&
          !state.loading.some((l) => l.split === loaded.split || l.split === null),
      );
      if (fresh.length === 0) return state;
      const splits = { ...state.splits };
      for (const loaded of fresh) splits[loaded.split] = loaded;
      return { ...state, splits, restored: [...state.restored, ...fresh.map((l) => l.split)] };
    }
  }
}
