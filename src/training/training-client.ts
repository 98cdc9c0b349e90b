/**
 * The client the UI uses to train: one interface whether the engine runs in a module worker
 * or, when the worker cannot be created or dies before choosing a backend, on the main thread
 * (BackendInfo.path says which). The composition point hands in how to start the worker and
 * what the main-thread engine needs (its checkpoint storage), since this layer knows neither.
 */
import type { TrainingEngine } from './engine';
import {
  createRunMessageSink,
  isEngineAnswer,
  type RunMessageSink,
  type TrainingRunResult,
  type TrainingSessionHooks,
} from './run-messages';
import type { BackendRequest, EvaluationResult, SerializedModel, SplitArrays } from './run-types';
import type { TrainingParams } from './training-params';
import {
  defaultLocks,
  describeWorkerFailure,
  SILENT_WORKER_DEATH,
  toStartRequest,
  type TrainingSession,
  type TrainingSessionOptions,
  type TrainingStartOptions,
  type WorkerLike,
} from './training-session-types';
import type {
  EngineAnswer,
  EngineRequest,
  StartRequest,
  WorkerToMainMessage,
} from './worker-protocol';

/** An evaluate/predict call waiting for its answer. */
interface PendingRequest {
  request: EngineRequest;
  settle(answer: EngineAnswer): void;
  /** The worker it was posted to; null while on the main thread. */
  sentTo: WorkerLike | null;
}

/** One worker and what the session knows about it; a new worker gets a new link. */
interface WorkerLink {
  worker: WorkerLike;
  /** Whether it has sent anything, i.e. loaded and runs the engine. */
  hasSpoken: boolean;
  /** The modelId it holds for prediction (so the weights need not be sent again). */
  cachedModelId: string | null;
  /** Receives its run messages (not request answers) while a run is on it. */
  onRunMessage: ((message: WorkerToMainMessage) => void) | null;
  /** Told when it fails during a run; the run decides whether to fall back. */
  onRunFailure: ((why: string) => void) | null;
}

/** A name no other worker of this origin uses. */
const randomId = (): string =>
  typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random()}`;

export function createTrainingSession(options: TrainingSessionOptions = {}): TrainingSession {
  return new TrainingClient(options);
}

class TrainingClient implements TrainingSession {
  private readonly preferWorker: boolean;
  private link: WorkerLink | null = null;
  private engine: TrainingEngine | null = null;
  /** Receives the main-thread engine's messages for the run in progress. */
  private mainThreadSink: RunMessageSink | null = null;
  private isRunning = false;
  private readonly pending = new Map<number, PendingRequest>();
  private nextRequestId = 1;
  private readonly locks: Pick<LockManager, 'request'> | null;

  constructor(private readonly options: TrainingSessionOptions) {
    this.preferWorker = options.preferWorker ?? true;
    this.locks = options.locks === undefined ? defaultLocks() : options.locks;
  }

  async start(
    data: { train: SplitArrays; test: SplitArrays },
    params: TrainingParams,
    backendRequest: BackendRequest,
    hooks: TrainingSessionHooks = {},
    startOptions: TrainingStartOptions = {},
  ): Promise<TrainingRunResult> {
    if (this.isRunning) throw new Error('A training run is already in progress');
    this.isRunning = true;
    try {
      const request = toStartRequest(data, params, backendRequest, startOptions);
      const sink = createRunMessageSink(hooks);
      const ranInWorker =
        this.preferWorker && this.engine === null && (await this.runInWorker(request, sink));
      if (!ranInWorker) await this.runOnMainThread(request, sink);
      return sink.result;
    } finally {
      this.isRunning = false;
    }
  }

  pause = (): void => this.sendControl('pause');
  unpause = (): void => this.sendControl('unpause');
  stop = (): void => this.sendControl('stop');

  async evaluate(
    model: SerializedModel,
    test: SplitArrays,
    backendRequest: BackendRequest,
  ): Promise<EvaluationResult> {
    const requestId = this.nextRequestId++;
    const answer = await this.request({ kind: 'evaluate', requestId, model, test, backendRequest });
    if (answer.kind === 'evaluation-result') return answer.result;
    throw new Error(answer.kind === 'request-error' ? answer.message : 'Unexpected answer');
  }

  async predict(
    model: SerializedModel,
    images: Uint8Array,
    backendRequest: BackendRequest,
    modelId: string,
  ): Promise<Float32Array> {
    const requestId = this.nextRequestId++;
    // Copied so the main-thread path, like the worker's clone, never sees later edits.
    const answer = await this.request({
      kind: 'predict',
      requestId,
      modelId,
      model,
      images: images.slice(),
      backendRequest,
    });
    if (answer.kind === 'prediction') return answer.probabilities;
    throw new Error(answer.kind === 'request-error' ? answer.message : 'Unexpected answer');
  }

  dispose(): void {
    // Answered first, so retiring the worker has nothing left to resend.
    for (const waiting of [...this.pending.values()]) {
      this.settle({
        kind: 'request-error',
        requestId: waiting.request.requestId,
        message: 'The training session was disposed',
      });
    }
    if (this.link) this.retireWorker(this.link.worker);
    this.engine?.dispose();
    this.engine = null;
  }

  /** Pause, unpause and stop go to wherever the current run is. */
  private sendControl(kind: 'pause' | 'unpause' | 'stop'): void {
    if (this.link) this.link.worker.postMessage({ kind });
    else this.engine?.[kind]();
  }

  private isOnMainThread(): boolean {
    return !this.preferWorker || this.engine !== null;
  }

  private settle(answer: EngineAnswer): void {
    const waiting = this.pending.get(answer.requestId);
    if (!waiting) return;
    this.pending.delete(answer.requestId);
    // The worker's cache may be empty or hold something else after a failed predict.
    if (answer.kind === 'request-error' && waiting.request.kind === 'predict' && this.link) {
      this.link.cachedModelId = null;
    }
    waiting.settle(answer);
  }

  private async getEngine(): Promise<TrainingEngine> {
    // Loaded on demand: when the worker works, the page never needs the engine (or tfjs) here.
    const { createTrainingEngine } = await import('./engine');
    this.engine ??= createTrainingEngine(
      'main-thread',
      (message) => {
        if (isEngineAnswer(message)) this.settle(message);
        else this.mainThreadSink?.handle(message);
      },
      this.options.engineOptions,
    );
    return this.engine;
  }

  /**
   * Ends `old`; its unanswered requests are resent (to the current worker, or wherever dispatch
   * now sends them), or failed when `old` ran and then died.
   */
  private retireWorker(old: WorkerLike, failure?: string): void {
    old.terminate();
    const isCurrent = this.link?.worker === old;
    const couldStart = !isCurrent || this.link?.hasSpoken === true;
    if (isCurrent) this.link = null;
    for (const waiting of [...this.pending.values()]) {
      if (waiting.sentTo !== old) continue;
      if (failure !== undefined && couldStart) {
        // A worker that ran and then died might die again on the same request: report it.
        this.settle({
          kind: 'request-error',
          requestId: waiting.request.requestId,
          message: `Training worker failed: ${failure}`,
        });
      } else if (failure !== undefined) {
        // It never started: the session falls back to the main thread.
        void this.getEngine().then(() => this.dispatch(waiting));
      } else {
        // Replaced by a new run's worker.
        this.dispatch(waiting);
      }
    }
  }

  /** Creates the worker (throws when it cannot) and routes its messages. */
  private openWorker(): WorkerLink {
    if (!this.options.createWorker) throw new Error('No training worker here');
    const worker = this.options.createWorker();
    const link: WorkerLink = {
      worker,
      hasSpoken: false,
      cachedModelId: null,
      onRunMessage: null,
      onRunFailure: null,
    };
    this.link = link;
    const fail = (why: string) => {
      if (this.link !== link) return;
      const { onRunFailure, hasSpoken } = link;
      this.retireWorker(worker, why);
      if (onRunFailure) onRunFailure(why);
      else if (!hasSpoken) void this.getEngine();
    };
    worker.addEventListener('message', (event: MessageEvent<WorkerToMainMessage>) => {
      if (this.link !== link) return;
      if (event.data.kind === 'liveness-lock-held') {
        // Granted only once the worker has ended, however it ended.
        void this.locks?.request(event.data.lockName, () => fail(SILENT_WORKER_DEATH));
        return;
      }
      link.hasSpoken = true;
      if (isEngineAnswer(event.data)) this.settle(event.data);
      else link.onRunMessage?.(event.data);
    });
    worker.addEventListener('error', (event: Event) => {
      event.preventDefault();
      // ErrorEvent is absent outside browsers, so read the field rather than instanceof.
      const detail = (event as Partial<ErrorEvent>).message;
      fail(typeof detail === 'string' && detail !== '' ? detail : 'error event');
    });
    worker.addEventListener('messageerror', () => fail('a message could not be decoded'));
    if (this.locks) {
      worker.postMessage({ kind: 'hold-liveness-lock', lockName: `training-worker-${randomId()}` });
    }
    return link;
  }

  /** Sends a pending request to the worker (created on demand) or the main-thread engine. */
  private dispatch(waiting: PendingRequest): void {
    if (!this.isOnMainThread() && !this.link) {
      try {
        this.openWorker();
      } catch {
        // No worker here (Node, old browsers): the engine runs in the page from now on.
        void this.getEngine().then(() => this.dispatch(waiting));
        return;
      }
    }
    const link = this.link;
    if (link && !this.isOnMainThread()) {
      const { request } = waiting;
      waiting.sentTo = link.worker;
      if (request.kind === 'predict' && request.modelId === link.cachedModelId) {
        // The worker holds this model already; cloning megabytes of weights per stroke is waste.
        link.worker.postMessage({ ...request, model: undefined });
      } else {
        if (request.kind === 'predict') link.cachedModelId = request.modelId;
        // Cloned, not transferred: the caller still owns the model and the arrays.
        link.worker.postMessage(request);
      }
      return;
    }
    waiting.sentTo = null;
    void this.getEngine().then((engine) => engine.answer(waiting.request));
  }

  private request(message: EngineRequest): Promise<EngineAnswer> {
    return new Promise((resolve) => {
      const waiting: PendingRequest = { request: message, settle: resolve, sentTo: null };
      this.pending.set(message.requestId, waiting);
      this.dispatch(waiting);
    });
  }

  private async runOnMainThread(request: StartRequest, sink: RunMessageSink): Promise<void> {
    const engine = await this.getEngine();
    this.mainThreadSink = sink;
    await engine.run(request);
  }

  /**
   * Resolves true when the worker run ended (done or a later error), false when the worker
   * failed before reporting its backend, in which case the caller falls back.
   */
  private runInWorker(request: StartRequest, sink: RunMessageSink): Promise<boolean> {
    return new Promise((resolve) => {
      let hasBackend = false;
      // A new run gets a fresh worker; the previous model went out in its done message.
      // Requests still open on the old worker are resent to the new one.
      const old = this.link?.worker;
      let link: WorkerLink;
      try {
        link = this.openWorker();
      } catch {
        if (old) this.retireWorker(old);
        resolve(false);
        return;
      }
      if (old) this.retireWorker(old);
      let checkpointEpoch =
        request.checkpoint && request.resumeFrom ? request.resumeFrom.epochsCompleted : null;
      link.onRunMessage = (message) => {
        if (message.kind === 'backend') hasBackend = true;
        if (message.kind === 'checkpoint') checkpointEpoch = message.epochsCompleted;
        if (sink.handle(message)) {
          link.onRunMessage = null;
          link.onRunFailure = null;
          resolve(true);
        }
      };
      link.onRunFailure = (why) => {
        if (!hasBackend) {
          resolve(false);
          return;
        }
        sink.result.errorMessage = describeWorkerFailure(why, checkpointEpoch);
        sink.result.end = 'failed';
        resolve(true);
      };
      // Structured clone copies the datasets (the UI keeps its own for previews) and any
      // initialModel (the caller keeps that too).
      link.worker.postMessage({ kind: 'start', ...request });
    });
  }
}
