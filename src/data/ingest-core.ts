/**
 * File → validated typed arrays: the code both the worker and the main-thread fallback run.
 * Streams the file, tries the fast byte parser first and restarts with papaparse when the
 * fast path says the file needs it.
 */
import type { SplitName } from '../config/dataset';
import { createFastCsvParser } from './csv-fast-parser';
import { parseCsvWithPapaparse } from './csv-papaparse';
import { CSV_SNIFF_BYTES, checkLooksLikeText, csvRowCapacity } from './csv-validation';
import { gunzipToBlob, isGzipHead } from './gzip-blob';
import { checkIdxCounts, readIdxFile } from './idx-reader';
import type { IngestProgress, LoadedSplit, ParserPath } from './ingest-types';
import {
  createSplitStorage,
  finishSplitStorage,
  type SplitAllocation,
  type SplitStorage,
} from './split-storage';

/** Shortest gap between two progress reports, in milliseconds. */
export const PROGRESS_INTERVAL_MS = 50;

export interface IngestOptions {
  onProgress?: (progress: IngestProgress) => void;
  /** Clock in milliseconds; injectable so tests can drive the progress throttle. */
  now?: () => number;
  progressIntervalMs?: number;
  /** 'papaparse' skips the fast path (tests and benchmarks compare the two). */
  csvParser?: 'auto' | 'papaparse';
  /** papaparse `fastMode`; undefined lets papaparse pick per chunk. */
  papaparseFastMode?: boolean;
  /** How the CSV output arrays get their memory (default 'growable'; see split-storage). */
  allocation?: SplitAllocation;
}

/** Reports at most once per interval, plus a final report. */
export function createProgressThrottle(
  fileName: string,
  totalBytes: number,
  onProgress: ((progress: IngestProgress) => void) | undefined,
  now: () => number,
  intervalMs: number,
): { update(bytesRead: number, rows: number, isFinal?: boolean): void } {
  let lastReportMs = -Infinity;
  return {
    update(bytesRead, rows, isFinal = false) {
      if (!onProgress) return;
      const at = now();
      if (!isFinal && at - lastReportMs < intervalMs) return;
      lastReportMs = at;
      onProgress({ fileName, bytesRead, totalBytes, rows });
    },
  };
}

const defaultNow = (): number => performance.now();

/**
 * Reads one Kaggle-layout CSV (a File or any Blob with a name) into a split; a gzipped one
 * (`.csv.gz`, detected from the content) is decompressed first.
 */
export async function ingestCsvFile(
  input: Blob,
  fileName: string,
  split: SplitName,
  options: IngestOptions = {},
): Promise<LoadedSplit> {
  const now = options.now ?? defaultNow;
  const startedMs = now();
  const magic = new Uint8Array(await input.slice(0, 2).arrayBuffer());
  const file = isGzipHead(magic) ? await gunzipToBlob(input, fileName) : input;
  const progress = createProgressThrottle(
    fileName,
    file.size,
    options.onProgress,
    now,
    options.progressIntervalMs ?? PROGRESS_INTERVAL_MS,
  );
  const head = new Uint8Array(await file.slice(0, CSV_SNIFF_BYTES).arrayBuffer());
  checkLooksLikeText(fileName, file.size, head);

  const storage = createSplitStorage(csvRowCapacity(file.size), {
    allocation: options.allocation,
  });
  let parser: ParserPath = 'fast-csv';
  let rowCount = -1;
  if (options.csvParser !== 'papaparse') {
    rowCount = await parseCsvFast(file, fileName, storage, progress);
  }
  if (rowCount < 0) {
    parser = 'papaparse';
    rowCount = await parseCsvWithPapaparse(file.stream(), fileName, storage, {
      fastMode: options.papaparseFastMode,
      onChunk: (bytesRead, rows) => progress.update(bytesRead, rows),
    });
  }
  progress.update(file.size, rowCount, true);
  const { images, labels } = finishSplitStorage(storage, rowCount);
  return {
    split,
    images,
    labels,
    count: rowCount,
    sourceFiles: [fileName],
    parser,
    elapsedMs: now() - startedMs,
  };
}

/** Row count, or -1 when the file needs papaparse. */
async function parseCsvFast(
  file: Blob,
  fileName: string,
  storage: SplitStorage,
  progress: ReturnType<typeof createProgressThrottle>,
): Promise<number> {
  const parser = createFastCsvParser(fileName, storage);
  const reader = file.stream().getReader();
  let bytesRead = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytesRead += value.byteLength;
      if (parser.push(value) === 'fallback') {
        await reader.cancel();
        return -1;
      }
      progress.update(bytesRead, parser.rowCount);
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    reader.releaseLock();
  }
  return parser.finish();
}

/** Reads an IDX images file and its labels file into a split. */
export async function ingestIdxFiles(
  images: Blob,
  imagesName: string,
  labels: Blob,
  labelsName: string,
  split: SplitName,
  options: IngestOptions = {},
): Promise<LoadedSplit> {
  const now = options.now ?? defaultNow;
  const startedMs = now();
  const intervalMs = options.progressIntervalMs ?? PROGRESS_INTERVAL_MS;
  const imagesProgress = createProgressThrottle(
    imagesName,
    images.size,
    options.onProgress,
    now,
    intervalMs,
  );
  const labelsProgress = createProgressThrottle(
    labelsName,
    labels.size,
    options.onProgress,
    now,
    intervalMs,
  );
  const imageData = await readIdxFile(images, imagesName, 'images', (b, n) =>
    imagesProgress.update(b, n),
  );
  imagesProgress.update(images.size, imageData.count, true);
  const labelData = await readIdxFile(labels, labelsName, 'labels', (b, n) =>
    labelsProgress.update(b, n),
  );
  labelsProgress.update(labels.size, labelData.count, true);
  checkIdxCounts(imagesName, imageData.count, labelsName, labelData.count);
  return {
    split,
    images: imageData.data,
    labels: labelData.data,
    count: imageData.count,
    sourceFiles: [imagesName, labelsName],
    parser: 'idx',
    elapsedMs: now() - startedMs,
  };
}
