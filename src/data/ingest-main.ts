/**
 * The dataset loader the UI uses. Parsing runs in ingest.worker; when the worker cannot be
 * created or dies, the same code (ingest-core) runs on this thread behind the same interface,
 * so callers cannot tell the difference except by timing.
 */
import type { SplitName } from '../config/dataset';
import {
  deserializeFailure,
  runIngestJob,
  type IngestRequest,
  type IngestResponse,
} from './ingest-shared';
import type { IngestProgress, LoadedSplit } from './ingest-types';
import type { SplitAllocation } from './split-storage';

export interface DatasetLoader {
  /** Reads one Kaggle-layout CSV. Rejects with IngestError for bad input. */
  loadCsv(
    file: File,
    split: SplitName,
    onProgress: (p: IngestProgress) => void,
  ): Promise<LoadedSplit>;
  /** Reads an IDX images file and its labels file (raw or .gz). Rejects with IngestError. */
  loadIdx(
    images: File,
    labels: File,
    split: SplitName,
    onProgress: (p: IngestProgress) => void,
  ): Promise<LoadedSplit>;
  /** Stops the worker; pending loads reject. */
  dispose(): void;
}

/** The part of `Worker` the loader uses; tests pass an in-process stand-in. */
export interface IngestWorkerLike {
  postMessage(message: IngestRequest): void;
  terminate(): void;
  onmessage: ((event: MessageEvent<IngestResponse>) => void) | null;
  onerror: ((event: Event) => void) | null;
  onmessageerror: ((event: MessageEvent) => void) | null;
}

export interface DatasetLoaderOptions {
  /** Makes the worker; null or a throw means "run on the main thread". */
  createWorker?: () => IngestWorkerLike | null;
  /** CSV output allocation (default 'growable'); the benchmark compares 'upper-bound'. */
  csvAllocation?: SplitAllocation;
  /**
   * How long the worker may sit idle (no load in flight) before it is stopped, ms (default
   * INGEST_WORKER_IDLE_MS). An idle ingest worker holds ~10–12 MB of heap for nothing; the
   * next load starts a new one (~50 ms).
   */
  workerIdleMs?: number;
}

/** Long enough that the two files of one drop, or a quick retry, reuse the worker. */
export const INGEST_WORKER_IDLE_MS = 5_000;

function createIngestWorker(): IngestWorkerLike | null {
  if (typeof Worker === 'undefined') return null;
  return new Worker(new URL('./ingest.worker.ts', import.meta.url), {
    type: 'module',
  }) as unknown as IngestWorkerLike;
}

interface PendingJob {
  request: IngestRequest;
  onProgress: (p: IngestProgress) => void;
  resolve: (split: LoadedSplit) => void;
  reject: (error: unknown) => void;
}

export function createDatasetLoader(options: DatasetLoaderOptions = {}): DatasetLoader {
  const pending = new Map<number, PendingJob>();
  let nextJobId = 1;
  let isDisposed = false;
  let worker: IngestWorkerLike | null = null;
  let hasWorkerFailed = false;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const workerIdleMs = options.workerIdleMs ?? INGEST_WORKER_IDLE_MS;

  const cancelIdleStop = (): void => {
    if (idleTimer !== undefined) clearTimeout(idleTimer);
    idleTimer = undefined;
  };

  /** After the last load in flight settles, stop the worker unless another load starts. */
  const scheduleIdleStop = (): void => {
    cancelIdleStop();
    if (pending.size > 0 || !worker) return;
    idleTimer = setTimeout(() => {
      idleTimer = undefined;
      if (pending.size > 0 || !worker) return;
      worker.terminate();
      worker = null;
    }, workerIdleMs);
  };

  const runOnMainThread = (job: PendingJob): void => {
    runIngestJob(job.request, job.onProgress).then(job.resolve, job.reject);
  };

  /** The worker died: every job it had restarts here, and later jobs never try it again. */
  const failOverToMainThread = (): void => {
    hasWorkerFailed = true;
    worker?.terminate();
    worker = null;
    const jobs = [...pending.values()];
    pending.clear();
    for (const job of jobs) runOnMainThread(job);
  };

  const getWorker = (): IngestWorkerLike | null => {
    if (worker || hasWorkerFailed) return worker;
    try {
      worker = (options.createWorker ?? createIngestWorker)();
    } catch {
      worker = null;
    }
    if (!worker) {
      hasWorkerFailed = true;
      return null;
    }
    worker.onmessage = (event) => {
      const response = event.data;
      const job = pending.get(response.jobId);
      if (!job) return;
      if (response.kind === 'progress') {
        job.onProgress(response.progress);
        return;
      }
      pending.delete(response.jobId);
      if (response.kind === 'done') job.resolve(response.result);
      else job.reject(deserializeFailure(response.failure));
      scheduleIdleStop();
    };
    worker.onerror = () => failOverToMainThread();
    worker.onmessageerror = () => failOverToMainThread();
    return worker;
  };

  const start = (request: IngestRequest, onProgress: (p: IngestProgress) => void) =>
    new Promise<LoadedSplit>((resolve, reject) => {
      if (isDisposed) {
        reject(new Error('The dataset loader was disposed.'));
        return;
      }
      const job: PendingJob = { request, onProgress, resolve, reject };
      cancelIdleStop();
      const target = getWorker();
      if (!target) {
        runOnMainThread(job);
        return;
      }
      pending.set(request.jobId, job);
      try {
        target.postMessage(request);
      } catch {
        failOverToMainThread();
      }
    });

  return {
    loadCsv: (file, split, onProgress) =>
      start(
        {
          kind: 'start-csv',
          jobId: nextJobId++,
          file,
          split,
          allocation: options.csvAllocation,
        },
        onProgress,
      ),
    loadIdx: (images, labels, split, onProgress) =>
      start({ kind: 'start-idx', jobId: nextJobId++, images, labels, split }, onProgress),
    dispose: () => {
      isDisposed = true;
      cancelIdleStop();
      worker?.terminate();
      worker = null;
      for (const job of pending.values()) job.reject(new Error('The dataset loader was disposed.'));
      pending.clear();
    },
  };
}
