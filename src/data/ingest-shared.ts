/**
 * The message protocol between ingest-main (UI thread) and ingest.worker. Only plain data,
 * File objects and typed arrays cross; result arrays are transferred, not copied.
 */
import type { SplitName } from '../config/dataset';
import { ingestArchive } from './archive-ingest';
import type { ArchiveResult, IngestProgress, LoadedSplit } from './ingest-types';
import { ingestCsvFile, ingestIdxFiles } from './ingest-core';
import { serializeFailure, type SerializedIngestFailure } from './ingest-failure';
import type { SplitAllocation } from './split-storage';

export type IngestRequest =
  | {
      kind: 'start-csv';
      jobId: number;
      file: File;
      split: SplitName;
      /** Absent: 'growable'. The benchmark sets 'upper-bound' to compare. */
      allocation?: SplitAllocation;
    }
  | { kind: 'start-idx'; jobId: number; images: File; labels: File; split: SplitName }
  /** A ZIP archive: every split it holds, or only `splits` (see archive-ingest.ts). */
  | { kind: 'start-archive'; jobId: number; archive: File; splits?: SplitName[] };

export type IngestResponse =
  | { kind: 'progress'; jobId: number; progress: IngestProgress }
  | { kind: 'done'; jobId: number; result: LoadedSplit }
  | { kind: 'archive-done'; jobId: number; result: ArchiveResult }
  | { kind: 'error'; jobId: number; failure: SerializedIngestFailure };

/** Posts one response; `transfer` lists the buffers to move instead of copy. */
export type PostIngestResponse = (response: IngestResponse, transfer: Transferable[]) => void;

/** What a job gives: one split, or (an archive) several with notes. */
export type IngestJobResult = LoadedSplit | ArchiveResult;

/** Reads what one request asks for, in whatever thread calls it. */
export function runIngestJob(
  request: IngestRequest,
  onProgress: (progress: IngestProgress) => void,
): Promise<IngestJobResult> {
  switch (request.kind) {
    case 'start-csv':
      return ingestCsvFile(request.file, request.file.name, request.split, {
        onProgress,
        allocation: request.allocation,
      });
    case 'start-idx':
      return ingestIdxFiles(
        request.images,
        request.images.name,
        request.labels,
        request.labels.name,
        request.split,
        { onProgress },
      );
    case 'start-archive':
      return ingestArchive(request.archive, request.archive.name, { onProgress }, request.splits);
  }
}

/** The message that delivers a job's result, and the buffers it moves. */
function resultMessage(
  jobId: number,
  result: IngestJobResult,
): { response: IngestResponse; transfer: Transferable[] } {
  if ('splits' in result) {
    const transfer = result.splits.flatMap((s) => [s.images.buffer, s.labels.buffer]);
    return { response: { kind: 'archive-done', jobId, result }, transfer };
  }
  const transfer = [result.images.buffer, result.labels.buffer];
  return { response: { kind: 'done', jobId, result }, transfer };
}

/** Runs one request and reports through `post`: what the worker does with each message. */
export async function runIngestRequest(
  request: IngestRequest,
  post: PostIngestResponse,
): Promise<void> {
  const { jobId } = request;
  try {
    const result = await runIngestJob(request, (progress) =>
      post({ kind: 'progress', jobId, progress }, []),
    );
    const { response, transfer } = resultMessage(jobId, result);
    post(response, transfer);
  } catch (error) {
    post({ kind: 'error', jobId, failure: serializeFailure(error) }, []);
  }
}
