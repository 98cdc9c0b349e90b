/**
 * The client the UI uses to train: one interface whether the engine runs in a module worker
 * or, when the worker cannot be created or dies before choosing a backend, on the main thread
 * (BackendInfo.path says which).
 */
import type { TrainingEngine, TrainingEngineOptions } from './engine';
import type { TrainingState } from './train-loop';
import type {
  DonePayload,
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

export interface TrainingSession {
  /** Runs one training run; resolves (never rejects) when it ends. One run at a time. */
  start(
    data: { train: SplitArrays; test: SplitArrays },
    params: TrainingParams,
    backendRequest: BackendRequest,
    hooks?: TrainingSessionHooks,
  ): Promise<TrainingRunResult>;
  pause(): void;
  resume(): void;
  stop(): void;
  /** Terminates the worker / frees the main-thread model. */
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
        case 'done':
          result.end = message.end;
          result.history = message.history;
          result.elapsedMs = message.elapsedMs;
          result.model = message.model;
          return message;
      }
    },
  };
}

export function createTrainingSession(options: TrainingSessionOptions = {}): TrainingSession {
  const preferWorker = options.preferWorker ?? true;
  const createWorker = options.createWorker ?? createModuleWorker;
  let worker: WorkerLike | null = null;
  let engine: TrainingEngine | null = null;
  /** Receives the main-thread engine's messages for the run in progress. */
  let mainThreadSink: ReturnType<typeof createMessageSink> | null = null;
  let isRunning = false;

  /** Where pause/resume/stop go for the current run. */
  const send = (message: MainToWorkerMessage): void => {
    if (worker) worker.postMessage(message);
    else if (engine && message.kind !== 'start') engine[message.kind]();
  };

  async function runOnMainThread(
    request: StartRequest,
    sink: ReturnType<typeof createMessageSink>,
  ): Promise<void> {
    // Loaded on demand: when the worker works, the page never needs the engine (or tfjs) here.
    const { createTrainingEngine } = await import('./engine');
    mainThreadSink = sink;
    engine ??= createTrainingEngine(
      'main-thread',
      (message) => mainThreadSink?.handle(message),
      options.engineOptions,
    );
    await engine.run(request);
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
      let current: WorkerLike;
      // A new run gets a fresh worker; the previous model went out in its done message.
      worker?.terminate();
      worker = null;
      try {
        current = createWorker();
      } catch {
        resolve(false);
        return;
      }
      worker = current;
      const fail = (why: string) => {
        if (worker !== current) return;
        current.terminate();
        worker = null;
        if (!hasBackend) {
          resolve(false);
          return;
        }
        sink.result.errorMessage = `Training worker failed: ${why}`;
        sink.result.end = 'failed';
        resolve(true);
      };
      current.addEventListener('message', (event: MessageEvent<WorkerToMainMessage>) => {
        if (worker !== current) return;
        if (event.data.kind === 'backend') hasBackend = true;
        if (sink.handle(event.data)) resolve(true);
      });
      current.addEventListener('error', (event: Event) => {
        event.preventDefault();
        // ErrorEvent is absent outside browsers, so read the field rather than instanceof.
        const detail = (event as Partial<ErrorEvent>).message;
        fail(typeof detail === 'string' && detail !== '' ? detail : 'error event');
      });
      current.addEventListener('messageerror', () => fail('a message could not be decoded'));
      // Structured clone copies the datasets (the UI keeps its own for previews).
      current.postMessage({ kind: 'start', ...request });
    });
  }

  return {
    async start(data, params, backendRequest, hooks = {}) {
      if (isRunning) throw new Error('A training run is already in progress');
      isRunning = true;
      try {
        const request: StartRequest = {
          params,
          backendRequest,
          train: data.train,
          test: data.test,
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
    dispose() {
      worker?.terminate();
      worker = null;
      engine?.dispose();
      engine = null;
    },
  };
}
