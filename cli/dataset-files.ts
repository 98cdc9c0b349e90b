/**
 * `--path`: a folder holding the dataset (the two Kaggle CSVs or the four IDX files, gzipped or
 * not, or Kaggle's archive.zip), or the files themselves. Each file is judged by its name as the
 * tab judges a dropped file (classifyFile); the files are then read in the host page by the
 * app's loader, which chooses a source per split inside an archive as the tab does.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { SplitName } from '../src/config/dataset';
import { classifyFile } from '../src/data/classify-file';
import {
  EXPECTED_SPLIT_FILES as EXPECTED_FILES,
  type DataSource,
  type SplitSource,
} from '../src/app/cli-host-protocol';
import { notFashionMnistFile } from '../src/ui/dataset/ingest-problems';
import { UsageError } from './usage-error';

/** The files to choose in the host page, in order, and which split each source is. */
export interface DatasetFiles {
  /** Absolute paths; the sources' indices point into this list. */
  files: string[];
  sources: DataSource[];
}

type DataKind = 'csv' | 'idx-images' | 'idx-labels' | 'zip';

interface ClassifiedFile {
  path: string;
  kind: DataKind;
  /** Null for an archive, which may hold both. */
  split: SplitName | null;
}

const SPLIT_WORD: Record<SplitName, string> = { train: 'training', test: 'test' };
const EXPECTED_ARCHIVE = "Kaggle's archive.zip";

/** The dataset kind of a file name, or null when the command line does not read it. */
function dataKindOf(name: string): { kind: DataKind; split: SplitName | null } | null {
  const classified = classifyFile(name);
  if (!classified) return null;
  const { kind, split } = classified;
  const isData = kind === 'csv' || kind === 'idx-images' || kind === 'idx-labels' || kind === 'zip';
  return isData ? { kind, split } : null;
}

function classify(path: string, kind: DataKind, split: SplitName | null): ClassifiedFile {
  if (split === null && kind !== 'zip') {
    throw new UsageError(
      `${path}: the name says neither train nor test; it must contain "train", or "test" or "t10k".`,
    );
  }
  return { path, kind, split };
}

/** The dataset files of one folder (not its subfolders); other files are ignored. */
function filesInFolder(folder: string): ClassifiedFile[] {
  const found: ClassifiedFile[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    const kind = dataKindOf(entry.name);
    if (kind) found.push(classify(join(folder, entry.name), kind.kind, kind.split));
  }
  if (found.length === 0) {
    throw new UsageError(
      `${folder} holds no Fashion-MNIST dataset: expected ${EXPECTED_FILES.train}, and ` +
        `${EXPECTED_FILES.test} (IDX files gzipped or not), or ${EXPECTED_ARCHIVE}.`,
    );
  }
  return found;
}

function filesAt(path: string): ClassifiedFile[] {
  let isFolder: boolean;
  try {
    isFolder = statSync(path).isDirectory();
  } catch {
    throw new UsageError(`--path ${path}: no such file or folder.`);
  }
  if (isFolder) return filesInFolder(path);
  const kind = dataKindOf(basename(path));
  if (!kind) throw new UsageError(notFashionMnistFile(path).message);
  return [classify(path, kind.kind, kind.split)];
}

/** The one source of `split` among `files`, or a UsageError saying what is missing or doubled. */
function sourceOf(
  split: SplitName,
  files: ClassifiedFile[],
  indexOf: (file: ClassifiedFile) => number,
  where: string,
): SplitSource {
  const ofSplit = files.filter((file) => file.split === split);
  const csvs = ofSplit.filter((file) => file.kind === 'csv');
  const images = ofSplit.filter((file) => file.kind === 'idx-images');
  const labels = ofSplit.filter((file) => file.kind === 'idx-labels');
  if (ofSplit.length === 0) {
    throw new UsageError(
      `No ${SPLIT_WORD[split]} set in ${where}: expected ${EXPECTED_FILES[split]}.`,
    );
  }
  if (csvs.length === 1 && images.length === 0 && labels.length === 0) {
    return { split, kind: 'csv', file: indexOf(csvs[0]) };
  }
  if (csvs.length === 0 && images.length === 1 && labels.length === 1) {
    return { split, kind: 'idx', images: indexOf(images[0]), labels: indexOf(labels[0]) };
  }
  if (csvs.length === 0 && images.length + labels.length === 1) {
    const [half] = [...images, ...labels];
    const missing = half.kind === 'idx-images' ? 'labels' : 'images';
    throw new UsageError(
      `${half.path} has no IDX ${missing} file of the ${SPLIT_WORD[split]} set beside it.`,
    );
  }
  const names = ofSplit.map((file) => basename(file.path)).join(', ');
  throw new UsageError(
    `More than one ${SPLIT_WORD[split]} set in ${where} (${names}): give the files to use with --path.`,
  );
}

/**
 * An archive given alone is the whole dataset; beside other dataset files (or another archive)
 * it is refused, not guessed between.
 */
function archiveSource(files: ClassifiedFile[], where: string): DatasetFiles | null {
  const archives = files.filter((file) => file.kind === 'zip');
  if (archives.length === 0) return null;
  if (files.length > 1) {
    const names = files.map((file) => basename(file.path)).join(', ');
    throw new UsageError(
      `More than one dataset in ${where} (${names}): give the archive or the files to use with --path.`,
    );
  }
  return { files: [archives[0].path], sources: [{ kind: 'archive', file: 0 }] };
}

/** Finds the training and test files that `paths` (absolute) name. Throws UsageError. */
export function findDatasetFiles(paths: string[]): DatasetFiles {
  const classified = paths.flatMap(filesAt);
  const unique = [...new Map(classified.map((file) => [file.path, file])).values()];
  const where = paths.join(', ');
  const archive = archiveSource(unique, where);
  if (archive) return archive;
  const files: string[] = [];
  const indexOf = (file: ClassifiedFile) => {
    files.push(file.path);
    return files.length - 1;
  };
  const sources = (['train', 'test'] as const).map((split): SplitSource =>
    sourceOf(split, unique, indexOf, where),
  );
  return { files, sources };
}
