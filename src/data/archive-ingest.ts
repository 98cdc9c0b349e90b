/**
 * A ZIP archive of the dataset (Kaggle's `archive.zip`: both CSVs and the four IDX files) into
 * splits: the directory is read, one source per split is chosen (the CSV when there are both),
 * only those entries are inflated, and each is read by the same code as a dropped file. What
 * was not used is said in `notes`; a bad entry fails its own split, not the other one.
 */
import type { SplitName } from '../config/dataset';
import { classifyFile } from './classify-file';
import { planDatasetSources, type SourcePlan } from './dataset-sources';
import { listNames, noDatasetFilesError } from './dataset-sources-drop';
import { ingestCsvFile, ingestIdxFiles, type IngestOptions } from './ingest-core';
import { IngestError, type ArchiveResult, type LoadedSplit } from './ingest-types';
import { readZipEntry } from './zip-archive';
import { listZipEntries, type ZipEntry } from './zip-directory';
import { errorMessage } from '../shared/errors';

/** What in the archive is not used at all, in one sentence (or none). */
function ignoredNote(archiveName: string, plan: SourcePlan<ZipEntry>): string | null {
  const ignored = [
    ...plan.unrelated,
    ...plan.unknownSplit,
    ...plan.archives,
    ...plan.idxHalves.map((h) => h.source),
  ].map((s) => s.name);
  if (ignored.length === 0) return null;
  return `Ignored ${ignored.length === 1 ? 'one other file' : `${ignored.length} other files`} in ${archiveName}: ${listNames(ignored)}.`;
}

/**
 * Reads every entry the plan chose; a split whose entry is bad becomes a failure. With
 * `splits`, only those are read: the entries of the others are left out of the plan and its
 * notes, because the page planned those splits from other files and said so.
 */
export async function ingestArchive(
  archive: Blob,
  archiveName: string,
  options: IngestOptions = {},
  splits: readonly SplitName[] = ['train', 'test'],
): Promise<ArchiveResult> {
  const entries = await listZipEntries(archive, archiveName);
  const wanted = entries.filter((entry) => {
    const split = classifyFile(entry.path)?.split;
    return !split || splits.includes(split);
  });
  const plan = planDatasetSources(
    wanted.map((entry) => ({ name: entry.path, item: entry })),
    'first',
  );
  if (plan.chosen.length === 0) {
    throw noDatasetFilesError(
      archiveName,
      entries.map((e) => e.path),
    );
  }
  const notes = plan.notes.map((note) => `In ${archiveName}: ${note}`);
  const ignored = ignoredNote(archiveName, plan);
  if (ignored) notes.push(ignored);
  const result: ArchiveResult = { splits: [], failures: [], notes };
  const fullName = (entry: ZipEntry) => `${archiveName}/${entry.path}`;
  const extract = (entry: ZipEntry) =>
    readZipEntry(archive, archiveName, entry, (bytesRead) =>
      options.onProgress?.({
        fileName: fullName(entry),
        bytesRead,
        totalBytes: entry.compressedBytes,
        rows: 0,
      }),
    );
  for (const { split, source } of plan.chosen) {
    try {
      let loaded: LoadedSplit;
      if (source.kind === 'csv') {
        const blob = await extract(source.csv.item);
        loaded = await ingestCsvFile(blob, fullName(source.csv.item), split, options);
      } else {
        const [images, labels] = [source.images.item, source.labels.item];
        const [imagesBlob, labelsBlob] = [await extract(images), await extract(labels)];
        loaded = await ingestIdxFiles(
          imagesBlob,
          fullName(images),
          labelsBlob,
          fullName(labels),
          split,
          options,
        );
      }
      result.splits.push(loaded);
    } catch (error) {
      if (error instanceof IngestError) result.failures.push(error.details);
      else {
        const message = `${archiveName}: the ${split} data could not be read: ${errorMessage(error)}`;
        result.failures.push({ fileName: archiveName, expected: 'a readable archive', message });
      }
    }
  }
  return result;
}
