/**
 * What the loader hands to the rest of the app, and how it reports failure.
 * Only plain data here: these values cross the worker boundary.
 */
import type { SplitName } from '../config/dataset';

/** Which parser produced a split; the UI says which path ran. */
export type ParserPath = 'fast-csv' | 'papaparse' | 'idx';

/** One loaded split. */
export interface LoadedSplit {
  split: SplitName;
  /** uint8 [count × 784], row-major 28×28 images, 0–255. */
  images: Uint8Array;
  /** uint8 [count], class index 0–9. */
  labels: Uint8Array;
  count: number;
  /** Names of the file(s) the split came from (one CSV, or the IDX images + labels pair). */
  sourceFiles: string[];
  parser: ParserPath;
  /** Wall time from the start of reading to checked arrays, in milliseconds. */
  elapsedMs: number;
}

/** Reading progress of one file. */
export interface IngestProgress {
  fileName: string;
  bytesRead: number;
  totalBytes: number;
  /** Data rows (or IDX items) read so far. */
  rows: number;
}

/** Where and why a file was rejected. Line is 1-based and counts the CSV header. */
export interface IngestErrorDetails {
  fileName: string;
  /** 1-based line number (header = line 1); absent for whole-file problems. */
  line?: number;
  /** Column name from the header layout: `label`, `pixel37`. */
  column?: string;
  /** What the file should have had there. */
  expected: string;
  /** What it had instead (shortened), when that helps. */
  found?: string;
  /** The complete sentence shown to the user. */
  message: string;
}

/** The error every loader path throws for bad input; `details` crosses the worker boundary. */
export class IngestError extends Error {
  readonly details: IngestErrorDetails;
  constructor(details: IngestErrorDetails) {
    super(details.message);
    this.name = 'IngestError';
    this.details = details;
  }
}

/** How a dropped file is read, decided from its name. */
export type FileKind = 'csv' | 'idx-images' | 'idx-labels' | 'zip';

export interface FileClassification {
  kind: FileKind;
  /**
   * From the name (`train`; `test`/`t10k`); null when the name says neither: the user picks.
   * Always null for a ZIP archive, whose entries name their own splits.
   */
  split: SplitName | null;
  isGzip: boolean;
}

/** What one archive (Kaggle's `archive.zip`) gave: the splits read, and what was not used. */
export interface ArchiveResult {
  /** One per split the archive holds usable data for (at most train and test). */
  splits: LoadedSplit[];
  /** Entries chosen for a split that turned out to be bad; the other split may still load. */
  failures: IngestErrorDetails[];
  /** Sentences saying which entries were used for each split, and which were ignored and why. */
  notes: string[];
}
