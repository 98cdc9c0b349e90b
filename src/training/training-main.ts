/**
 * The client the UI uses to train: one interface whether the engine runs in a module worker
 * or, when the worker cannot be created or dies before choosing a backend, on the main thread
 * (BackendInfo.path says which).
 */
import type { TrainingEngine, TrainingEngineOptions } from './engine';
import type { ResumePoint, TrainingState } from './train-loop';
import type {
  CheckpointTarget,
  DonePayload,
  EngineAnswer,
  EngineRequest,
  MainToWorkerMessage,
  SerializedModel,
  StartRequest,
  WorkerToMainMessage,
} from './training-shared';
import type {
  BackendInfo,
  BackendRequest,
  BatchMetrics,
  EpochMetrics,
  EvaluationResult,
  RunEnd,
  SplitArrays,
  TrainingParams,
} from './training-protocol';

export interface TrainingSessionHooks {
  onBackend?(info: BackendInfo): void;
  onBatch?(metrics: BatchMetrics): void;
  onEpoch?(metrics: EpochMetrics): void;
  onStateChange?(state: TrainingState): void;
  onEvaluation?(result: EvaluationResult): void;
  /** The checkpoint after `epochsCompleted` epochs is safely stored. */
  onCheckpoint?(epochsCompleted: number): void;
  /** It could not be stored (training goes on; the previous checkpoint is intact). */
  onCheckpointError?(epochsCompleted: number, message: string): void;
}

export interface TrainingRunResult {
  end: RunEnd;
  backend?: BackendInfo;
  history: EpochMetrics[];
  elapsedMs: number;
  evaluation?: EvaluationResult;
  /** Topology + weights of the trained model; absent when the run failed. */
  model?: SerializedModel;
  /** Set when end is `failed`. */
  errorMessage?: string;
}

export interface TrainingStartOptions {
  /**
   * Train further from this model instead of a fresh `params.architectureId` (which must
   * describe it); a fresh optimizer from params. Copied, never transferred.
   */
  initialModel?: SerializedModel;
  /** Continue a checkpointed run (`initialModel` must then be the checkpoint's weights). */
  resumeFrom?: ResumePoint;
  /** Write a checkpoint after every epoch. */
  checkpoint?: CheckpointTarget;
}

export interface TrainingSession {
  /** Runs one training run; resolves (never rejects) when it ends. One run at a time. */
  start(
    data: { train: SplitArrays; test: SplitArrays },
    params: TrainingParams,
    backendRequest: BackendRequest,
    hooks?: TrainingSessionHooks,
    startOptions?: TrainingStartOptions,
  ): Promise<TrainingRunResult>;
  pause(): void;
  resume(): void;
  stop(): void;
  /**
   * Test-set evaluation of a given model, e.g. one loaded from storage. Works with or without
   * a run before it and leaves a finished run's model alone. Rejects when evaluation fails.
   * `model` and `test` are copied (structured clone), never transferred: the caller keeps them.
   */
  evaluate(
    model: SerializedModel,
    test: SplitArrays,
    backendRequest: BackendRequest,
  ): Promise<EvaluationResult>;
  /**
   * Class probabilities, float32 [n × 10] (rows sum to 1), of `model` on `images`, uint8
   * [n × 784]. The engine keeps the deserialized model under `modelId` until a different id
   * arrives, so repeated calls with the same id (a drawing canvas) skip deserialization and,
   * in the worker, skip cloning the weights too. Use a new id whenever the weights change.
   */
  predict(
    model: SerializedModel,
    images: Uint8Array,
    backendRequest: BackendRequest,
    modelId: string,
  ): Promise<Float32Array>;
  /** Terminates the worker / frees the main-thread models (trained and cached). */
  dispose(): void;
}

/** The slice of the Worker API the session uses (a real Worker, or a test double). */
export interface WorkerLike {
  postMessage(message: MainToWorkerMessage): void;
  terminate(): void;
  addEventListener(
    type: 'message',
    listener: (event: MessageEvent<WorkerToMainMessage>) => void,
  ): void;
  addEventListener(type: 'error' | 'messageerror', listener: (event: Event) => void): void;
}

export interface TrainingSessionOptions {
  /** Try a module worker first (default true); false always trains on the main thread. */
  preferWorker?: boolean;
  /** Default: the Vite module worker; throws where Worker does not exist. For tests. */
  createWorker?: () => WorkerLike;
  /** Options for the main-thread engine (injectable time, yield, model builder). */
  engineOptions?: TrainingEngineOptions;
}

function createModuleWorker(): WorkerLike {
  if (typeof Worker === 'undefined') throw new Error('Worker is not available here');
  return new Worker(new URL('./training.worker.ts', import.meta.url), {
    type: 'module',
  }) as WorkerLike;
}

/** Accumulates protocol messages into hook calls and the final result. */
function createMessageSink(hooks: TrainingSessionHooks) {
  const result: TrainingRunResult = { end: 'failed', history: [], elapsedMs: 0 };
  return {
    result,
    handle(message: WorkerToMainMessage): DonePayload | null {
      switch (message.kind) {
        case 'backend':
          result.backend = message.info;
          hooks.onBackend?.(message.info);
          return null;
        case 'batch':
          hooks.onBatch?.(message.metrics);
          return null;
        case 'epoch':
          hooks.onEpoch?.(message.metrics);
          return null;
        case 'state':
          hooks.onStateChange?.(message.state);
          return null;
        case 'evaluation':
          result.evaluation = message.result;
          hooks.onEvaluation?.(message.result);
          return null;
        case 'error':
          result.errorMessage = message.message;
          return null;
        case 'checkpoint':
          hooks.onCheckpoint?.(message.epochsCompleted);
          return null;
        case 'checkpoint-error':
          hooks.onCheckpointError?.(message.epochsCompleted, message.message);
          return null;
        case 'done':
          result.end = message.end;
          result.history = message.history;
          result.elapsedMs = message.elapsedMs;
          result.model = message.model;
          return message;
        default:
          // evaluate/predict answers are routed by requestId before they get here.
          return null;
      }
    },
  };
}

/** An evaluate/predict call waiting for its answer. */
interface PendingRequest {
  request: EngineRequest;
  settle(answer: EngineAnswer): void;
  /** The worker it was posted to; null while on the main thread. */
  sentTo: WorkerLike | null;
}

function isEngineAnswer(message: WorkerToMainMessage): message is EngineAnswer {
  return (
    message.kind === 'evaluation-result' ||
    message.kind === 'prediction' ||
    message.kind === 'request-error'
  );
}

export function createTrainingSession(options: TrainingSessionOptions = {}): TrainingSession {
  const preferWorker = options.preferWorker ?? true;
  const createWorker = options.createWorker ?? createModuleWorker;
  let worker: WorkerLike | null = null;
  /** Whether the current worker has sent anything, i.e. loaded and runs the engine. */
  let hasWorkerSpoken = false;
  /** The modelId the current worker holds for prediction (so the weights need not be resent). */
  let workerModelId: string | null = null;
  /** Receives the current worker's run messages (not request answers). */
  let onWorkerRunMessage: ((message: WorkerToMainMessage) => void) | null = null;
  /** Told when the current worker fails; the run decides whether to fall back. */
  let onWorkerRunFailure: ((why: string) => void) | null = null;
  let engine: TrainingEngine | null = null;
  /** Receives the main-thread engine's messages for the run in progress. */
  let mainThreadSink: ReturnType<typeof createMessageSink> | null = null;
  let isRunning = false;
  const pending = new Map<number, PendingRequest>();
  let nextRequestId = 1;

  /** Where pause/resume/stop go for the current run. */
  const send = (message: MainToWorkerMessage): void => {
    if (worker) worker.postMessage(message);
    else if (
      engine &&
      (message.kind === 'pause' || message.kind === 'resume' || message.kind === 'stop')
    ) {
      engine[message.kind]();
    }
  };

  const isOnMainThread = (): boolean => !preferWorker || engine !== null;

  function settle(answer: EngineAnswer): void {
    const waiting = pending.get(answer.requestId);
    if (!waiting) return;
    pending.delete(answer.requestId);
    // The worker's cache may be empty or hold something else after a failed predict.
    if (answer.kind === 'request-error' && waiting.request.kind === 'predict') workerModelId = null;
    waiting.settle(answer);
  }

  async function getEngine(): Promise<TrainingEngine> {
    // Loaded on demand: when the worker works, the page never needs the engine (or tfjs) here.
    const { createTrainingEngine } = await import('./engine');
    engine ??= createTrainingEngine(
      'main-thread',
      (message) => {
        if (isEngineAnswer(message)) settle(message);
        else mainThreadSink?.handle(message);
      },
      options.engineOptions,
    );
    return engine;
  }

  /**
   * Ends `old`; its unanswered requests are resent (to the current worker, or wherever dispatch
   * now sends them), or failed when `old` ran and then died.
   */
  function retireWorker(old: WorkerLike, failure?: string): void {
    old.terminate();
    const couldStart = old !== worker || hasWorkerSpoken;
    if (old === worker) {
      worker = null;
      hasWorkerSpoken = false;
      workerModelId = null;
      onWorkerRunMessage = null;
      onWorkerRunFailure = null;
    }
    for (const waiting of [...pending.values()]) {
      if (waiting.sentTo !== old) continue;
      if (failure !== undefined && couldStart) {
        // A worker that ran and then died might die again on the same request: report it.
        settle({
          kind: 'request-error',
          requestId: waiting.request.requestId,
          message: `Training worker failed: ${failure}`,
        });
      } else {
        // Replaced by a new run's worker, or never started (then the session falls back).
        if (failure !== undefined) void getEngine().then(() => dispatch(waiting));
        else dispatch(waiting);
      }
    }
  }

  /** Creates the worker (throws when it cannot) and routes its messages. */
  function openWorker(): WorkerLike {
    const current = createWorker();
    worker = current;
    hasWorkerSpoken = false;
    workerModelId = null;
    onWorkerRunMessage = null;
    onWorkerRunFailure = null;
    const fail = (why: string) => {
      if (worker !== current) return;
      const runFailure = onWorkerRunFailure;
      const wasSpoken = hasWorkerSpoken;
      retireWorker(current, why);
      if (runFailure) runFailure(why);
      else if (!wasSpoken) void getEngine();
    };
    current.addEventListener('message', (event: MessageEvent<WorkerToMainMessage>) => {
      if (worker !== current) return;
      hasWorkerSpoken = true;
      if (isEngineAnswer(event.data)) settle(event.data);
      else onWorkerRunMessage?.(event.data);
    });
    current.addEventListener('error', (event: Event) => {
      event.preventDefault();
      // ErrorEvent is absent outside browsers, so read the field rather than instanceof.
      const detail = (event as Partial<ErrorEvent>).message;
      fail(typeof detail === 'string' && detail !== '' ? detail : 'error event');
    });
    current.addEventListener('messageerror', () => fail('a message could not be decoded'));
    return current;
  }

  /** Sends a pending request to the worker (created on demand) or the main-thread engine. */
  function dispatch(waiting: PendingRequest): void {
    if (!isOnMainThread() && !worker) {
      try {
        openWorker();
      } catch {
        // No worker here (Node, old browsers): the engine runs in the page from now on.
        void getEngine().then(() => dispatch(waiting));
        return;
      }
    }
    if (worker && !isOnMainThread()) {
      const { request } = waiting;
      waiting.sentTo = worker;
      if (request.kind === 'predict' && request.modelId === workerModelId) {
        // The worker holds this model already; cloning megabytes of weights per stroke is waste.
        worker.postMessage({ ...request, model: undefined });
      } else {
        if (request.kind === 'predict') workerModelId = request.modelId;
        // Cloned, not transferred: the caller still owns the model and the arrays.
        worker.postMessage(request);
      }
      return;
    }
    waiting.sentTo = null;
    void getEngine().then((e) => e.answer(waiting.request));
  }

  function request(message: EngineRequest): Promise<EngineAnswer> {
    return new Promise((resolve) => {
      const waiting: PendingRequest = { request: message, settle: resolve, sentTo: null };
      pending.set(message.requestId, waiting);
      dispatch(waiting);
    });
  }

  async function runOnMainThread(
    request: StartRequest,
    sink: ReturnType<typeof createMessageSink>,
  ): Promise<void> {
    const runEngine = await getEngine();
    mainThreadSink = sink;
    await runEngine.run(request);
  }

  /**
   * Resolves true when the worker run ended (done or a later error), false when the worker
   * failed before reporting its backend, in which case the caller falls back.
   */
  function runInWorker(
    request: StartRequest,
    sink: ReturnType<typeof createMessageSink>,
  ): Promise<boolean> {
    return new Promise((resolve) => {
      let hasBackend = false;
      // A new run gets a fresh worker; the previous model went out in its done message.
      // Requests still open on the old worker are resent to the new one.
      const old = worker;
      let current: WorkerLike;
      try {
        current = openWorker();
      } catch {
        if (old) retireWorker(old);
        resolve(false);
        return;
      }
      if (old) retireWorker(old);
      onWorkerRunMessage = (message) => {
        if (message.kind === 'backend') hasBackend = true;
        if (sink.handle(message)) {
          onWorkerRunMessage = null;
          onWorkerRunFailure = null;
          resolve(true);
        }
      };
      onWorkerRunFailure = (why) => {
        if (!hasBackend) {
          resolve(false);
          return;
        }
        sink.result.errorMessage = `Training worker failed: ${why}`;
        sink.result.end = 'failed';
        resolve(true);
      };
      // Structured clone copies the datasets (the UI keeps its own for previews) and any
      // initialModel (the caller keeps that too).
      current.postMessage({ kind: 'start', ...request });
    });
  }

  return {
    async start(data, params, backendRequest, hooks = {}, startOptions = {}) {
      if (isRunning) throw new Error('A training run is already in progress');
      isRunning = true;
      try {
        const request: StartRequest = {
          params,
          backendRequest,
          train: data.train,
          test: data.test,
          ...(startOptions.initialModel ? { initialModel: startOptions.initialModel } : {}),
          ...(startOptions.resumeFrom ? { resumeFrom: startOptions.resumeFrom } : {}),
          ...(startOptions.checkpoint ? { checkpoint: startOptions.checkpoint } : {}),
        };
        const sink = createMessageSink(hooks);
        const ranInWorker = preferWorker && engine === null && (await runInWorker(request, sink));
        if (!ranInWorker) await runOnMainThread(request, sink);
        return sink.result;
      } finally {
        isRunning = false;
      }
    },
    pause: () => send({ kind: 'pause' }),
    resume: () => send({ kind: 'resume' }),
    stop: () => send({ kind: 'stop' }),
    async evaluate(model, test, backendRequest) {
      const requestId = nextRequestId++;
      const answer = await request({ kind: 'evaluate', requestId, model, test, backendRequest });
      if (answer.kind === 'evaluation-result') return answer.result;
      throw new Error(answer.kind === 'request-error' ? answer.message : 'Unexpected answer');
    },
    async predict(model, images, backendRequest, modelId) {
      const requestId = nextRequestId++;
      // Copied so the main-thread path, like the worker's clone, never sees later edits.
      const answer = await request({
        kind: 'predict',
        requestId,
        modelId,
        model,
        images: images.slice(),
        backendRequest,
      });
      if (answer.kind === 'prediction') return answer.probabilities;
      throw new Error(answer.kind === 'request-error' ? answer.message : 'Unexpected answer');
    },
    dispose() {
      // Answered first, so retiring the worker has nothing left to resend.
      for (const waiting of [...pending.values()]) {
        settle({
          kind: 'request-error',
          requestId: waiting.request.requestId,
          message: 'The training session was disposed',
        });
      }
      if (worker) retireWorker(worker);
      engine?.dispose();
      engine = null;
    },
  };
}
