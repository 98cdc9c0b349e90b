/**
 * The dataset loader the UI uses. Parsing runs in ingest.worker; when the worker cannot be
 * created or dies, the same code (ingest-core) runs on this thread behind the same interface,
 * so callers cannot tell the difference except by timing.
 */
import type { SplitName } from '../config/dataset';
import { deserializeFailure } from './ingest-failure';
import type { IngestJobResult, IngestRequest, IngestResponse } from './ingest-shared';
import type { ArchiveResult, IngestProgress, LoadedSplit } from './ingest-types';
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
  /**
   * Reads a ZIP archive (Kaggle's archive.zip): every split it holds (or only `splits`), with
   * notes on what was used. Rejects with IngestError when the archive is damaged or holds no
   * dataset files.
   */
  loadArchive(
    archive: File,
    onProgress: (p: IngestProgress) => void,
    splits?: SplitName[],
  ): Promise<ArchiveResult>;
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
   * INGEST_WORKER_IDLE_MS). An idle ingest worker holds megabytes of heap for nothing; the
   * next load starts a new one quickly.
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
  resolve: (result: IngestJobResult) => void;
  reject: (error: unknown) => void;
}

export function createDatasetLoader(options: DatasetLoaderOptions = {}): DatasetLoader {
  return new WorkerDatasetLoader(options);
}

const asSplit = (result: IngestJobResult): LoadedSplit => {
  if ('splits' in result) throw new Error('The loader answered a file with an archive result.');
  return result;
};

const asArchive = (result: IngestJobResult): ArchiveResult => {
  if (!('splits' in result)) throw new Error('The loader answered an archive with one split.');
  return result;
};

/**
 * Runs the job on this thread. The parsers load only now: they are the worker's code, and on
 * the page they are needed only when the worker cannot run, so the first screen goes without.
 */
const runOnMainThread = (job: PendingJob): void => {
  import('./ingest-shared')
    .then(({ runIngestJob }) => runIngestJob(job.request, job.onProgress))
    .then(job.resolve, job.reject);
};

/** Loads in the ingest worker while it works; on this thread once it cannot. */
class WorkerDatasetLoader implements DatasetLoader {
  private readonly pending = new Map<number, PendingJob>();
  private nextJobId = 1;
  private isDisposed = false;
  private worker: IngestWorkerLike | null = null;
  private hasWorkerFailed = false;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly workerIdleMs: number;

  constructor(private readonly options: DatasetLoaderOptions) {
    this.workerIdleMs = options.workerIdleMs ?? INGEST_WORKER_IDLE_MS;
  }

  loadCsv(file: File, split: SplitName, onProgress: (p: IngestProgress) => void) {
    const { csvAllocation: allocation } = this.options;
    const jobId = this.nextJobId++;
    return this.start({ kind: 'start-csv', jobId, file, split, allocation }, onProgress).then(
      asSplit,
    );
  }

  loadIdx(images: File, labels: File, split: SplitName, onProgress: (p: IngestProgress) => void) {
    const jobId = this.nextJobId++;
    return this.start({ kind: 'start-idx', jobId, images, labels, split }, onProgress).then(
      asSplit,
    );
  }

  loadArchive(archive: File, onProgress: (p: IngestProgress) => void, splits?: SplitName[]) {
    const jobId = this.nextJobId++;
    return this.start({ kind: 'start-archive', jobId, archive, splits }, onProgress).then(
      asArchive,
    );
  }

  dispose(): void {
    this.isDisposed = true;
    this.cancelIdleStop();
    this.worker?.terminate();
    this.worker = null;
    for (const job of this.pending.values()) {
      job.reject(new Error('The dataset loader was disposed.'));
    }
    this.pending.clear();
  }

  private start(request: IngestRequest, onProgress: (p: IngestProgress) => void) {
    return new Promise<IngestJobResult>((resolve, reject) => {
      if (this.isDisposed) {
        reject(new Error('The dataset loader was disposed.'));
        return;
      }
      const job: PendingJob = { request, onProgress, resolve, reject };
      this.cancelIdleStop();
      const target = this.getWorker();
      if (!target) {
        runOnMainThread(job);
        return;
      }
      this.pending.set(request.jobId, job);
      try {
        target.postMessage(request);
      } catch {
        this.failOverToMainThread();
      }
    });
  }

  private cancelIdleStop(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** After the last load in flight settles, stop the worker unless another load starts. */
  private scheduleIdleStop(): void {
    this.cancelIdleStop();
    if (this.pending.size > 0 || !this.worker) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.pending.size > 0 || !this.worker) return;
      this.worker.terminate();
      this.worker = null;
    }, this.workerIdleMs);
  }

  /** The worker died: every job it had restarts here, and later jobs never try it again. */
  private failOverToMainThread(): void {
    this.hasWorkerFailed = true;
    this.worker?.terminate();
    this.worker = null;
    const jobs = [...this.pending.values()];
    this.pending.clear();
    for (const job of jobs) runOnMainThread(job);
  }

  private getWorker(): IngestWorkerLike | null {
    if (this.worker || this.hasWorkerFailed) return this.worker;
    let worker: IngestWorkerLike | null;
    try {
      worker = (this.options.createWorker ?? createIngestWorker)();
    } catch {
      worker = null;
    }
    if (!worker) {
      this.hasWorkerFailed = true;
      return null;
    }
    worker.onmessage = (event) => this.onResponse(event.data);
    worker.onerror = () => this.failOverToMainThread();
    worker.onmessageerror = () => this.failOverToMainThread();
    this.worker = worker;
    return worker;
  }

  private onResponse(response: IngestResponse): void {
    const job = this.pending.get(response.jobId);
    if (!job) return;
    if (response.kind === 'progress') {
      job.onProgress(response.progress);
      return;
    }
    this.pending.delete(response.jobId);
    if (response.kind === 'done' || response.kind === 'archive-done') job.resolve(response.result);
    else job.reject(deserializeFailure(response.failure));
    this.scheduleIdleStop();
  }
}
