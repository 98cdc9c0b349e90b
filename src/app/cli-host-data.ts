/**
 * The command line's data, read in its host page exactly as the tab reads it: the app's
 * dataset loader (the ingest worker, the same checks), its messages for a bad file, and the
 * dataset key that ties a checkpoint to the data it trained on.
 */
import type { SplitName } from '../config/dataset';
import { createDatasetLoader, type DatasetLoader } from '../data/ingest-main';
import type { LoadedSplit } from '../data/ingest-types';
import { countsOfDatasetKey, datasetKey } from '../storage/dataset-store';
import { toErrorDetails } from '../ui/dataset/ingest-problems';
import {
  EXPECTED_SPLIT_FILES,
  type ArchiveSource,
  type DataSource,
  type SplitSource,
} from './cli-host-protocol';

/** A file that could not be read, with the sentence the tab's alert shows for it. */
export class DataProblem extends Error {}

export interface LoadedData {
  train: LoadedSplit;
  test: LoadedSplit;
  /** dataset-store's key of the two splits. */
  key: string;
}

function fileAt(files: FileList, index: number): File {
  const file = files.item(index);
  if (!file) throw new Error(`File ${index} was not chosen in the host page`);
  return file;
}

/** Reads one split; a bad file becomes a DataProblem with the tab's message. */
async function loadSource(
  loader: DatasetLoader,
  source: SplitSource,
  files: FileList,
): Promise<LoadedSplit> {
  const ignoreProgress = () => undefined;
  if (source.kind === 'csv') {
    const file = fileAt(files, source.file);
    try {
      return await loader.loadCsv(file, source.split, ignoreProgress);
    } catch (error) {
      throw new DataProblem(toErrorDetails(file.name, error).message);
    }
  }
  const images = fileAt(files, source.images);
  const labels = fileAt(files, source.labels);
  try {
    return await loader.loadIdx(images, labels, source.split, ignoreProgress);
  } catch (error) {
    throw new DataProblem(toErrorDetails(`${images.name} + ${labels.name}`, error).message);
  }
}

/**
 * Reads both splits from an archive; an archive without both, or with a bad entry, becomes a
 * DataProblem with the tab's message. Its notes say which entries were used and ignored.
 */
async function loadArchive(
  loader: DatasetLoader,
  source: ArchiveSource,
  files: FileList,
): Promise<{ splits: LoadedSplit[]; notes: string[] }> {
  const archive = fileAt(files, source.file);
  let result;
  try {
    result = await loader.loadArchive(archive, () => undefined);
  } catch (error) {
    throw new DataProblem(toErrorDetails(archive.name, error).message);
  }
  const [failure] = result.failures;
  if (failure) throw new DataProblem(failure.message);
  for (const split of ['train', 'test'] as const) {
    if (!result.splits.some((loaded) => loaded.split === split)) {
      const expected = EXPECTED_SPLIT_FILES[split];
      throw new DataProblem(
        `${archive.name} holds no ${split === 'train' ? 'training' : 'test'} set: expected ${expected}.`,
      );
    }
  }
  return { splits: result.splits, notes: result.notes };
}

/** Loads the training and test splits named by `sources` from the chosen `files`. */
export async function loadData(
  sources: DataSource[],
  files: FileList,
  onLoaded: (split: LoadedSplit) => void,
  onNote: (message: string) => void = () => undefined,
): Promise<LoadedData> {
  const loader = createDatasetLoader();
  const splits = new Map<SplitName, LoadedSplit>();
  try {
    // One at a time, as the ingest worker would take them anyway; the first bad file stops it.
    for (const source of sources) {
      const loaded =
        source.kind === 'archive'
          ? await loadArchive(loader, source, files)
          : { splits: [await loadSource(loader, source, files)], notes: [] };
      for (const split of loaded.splits) {
        splits.set(split.split, split);
        onLoaded(split);
      }
      for (const note of loaded.notes) onNote(note);
    }
  } finally {
    loader.dispose();
  }
  const train = splits.get('train');
  const test = splits.get('test');
  if (!train || !test) throw new Error('The command line sent no training or no test split');
  return { train, test, key: datasetKey(train, test) };
}

const count = (n: number) => n.toLocaleString('en-US');

/** Why `data` is not the data a checkpoint with `expectedKey` trained on, or null. */
export function findResumeDataProblem(data: LoadedData, expectedKey: string): string | null {
  if (data.key === expectedKey) return null;
  const expected = countsOfDatasetKey(expectedKey);
  const trainedOn = expected
    ? `${count(expected.train)} training and ${count(expected.test)} test images`
    : 'other data';
  const isSameSize = expected?.train === data.train.count && expected?.test === data.test.count;
  return (
    `The data is not what this run trained on: it trained on ${trainedOn}; these files hold ` +
    `${count(data.train.count)} training and ${count(data.test.count)} test images` +
    `${isSameSize ? ' with other contents' : ''}. Resume with the same files (--path).`
  );
}
