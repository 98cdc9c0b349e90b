/**
 * The training session as the UI sees it (training-client.ts implements it): start a run,
 * pause, unpause or stop it, evaluate and predict with a model; and what the page says when
 * the training worker fails. Types, words and plain data only, so a caller that names the
 * session does not load the client.
 */
import type { TrainingEngineOptions } from './engine';
import type { TrainingRunResult, TrainingSessionHooks } from './run-messages';
import type { BackendRequest, EvaluationResult, SerializedModel, SplitArrays } from './run-types';
import type { ResumePoint } from './train-loop-types';
import type { TrainingParams } from './training-params';
import type {
  CheckpointTarget,
  MainToWorkerMessage,
  StartRequest,
  WorkerToMainMessage,
} from './worker-protocol';

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
  /** Evaluate the test split after every epoch too (EpochMetrics.testAccuracy). */
  monitorTest?: boolean;
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
  /** Lets a paused run go on. */
  unpause(): void;
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
  /** Starts the training worker; without it (or where it throws) the engine runs here. */
  createWorker?: () => WorkerLike;
  /** Options for the main-thread engine (checkpoint storage; injectable time, yield, model). */
  engineOptions?: TrainingEngineOptions;
  /**
   * Web Locks, for noticing a worker that ends without an error event (terminated, crashed,
   * out of memory): default `navigator.locks`; null (or none here) turns the watch off.
   */
  locks?: Pick<LockManager, 'request'> | null;
}

/** TrainingSessionOptions.locks when none is given: the page's Web Locks, where there are any. */
export function defaultLocks(): Pick<LockManager, 'request'> | null {
  return typeof navigator !== 'undefined' && navigator.locks ? navigator.locks : null;
}

/** Why a worker that ended silently is said to have failed. */
export const SILENT_WORKER_DEATH =
  'it stopped without a word (the browser may have ended it for lack of memory, or it crashed)';

/** What a run's failure in the worker means for its checkpoint, in the page's words. */
export function describeWorkerFailure(why: string, checkpointEpoch: number | null): string {
  const kept =
    checkpointEpoch === null
      ? 'No checkpoint of this run was kept.'
      : `The checkpoint after epoch ${checkpointEpoch} is intact: "Resume training from epoch ${checkpointEpoch}" continues from it in a new worker.`;
  return `Training worker failed: ${why}. ${kept}`;
}

/** The start message of a run: the session's arguments, with only the options that are set. */
export function toStartRequest(
  data: { train: SplitArrays; test: SplitArrays },
  params: TrainingParams,
  backendRequest: BackendRequest,
  startOptions: TrainingStartOptions,
): StartRequest {
  return {
    params,
    backendRequest,
    train: data.train,
    test: data.test,
    ...(startOptions.initialModel ? { initialModel: startOptions.initialModel } : {}),
    ...(startOptions.resumeFrom ? { resumeFrom: startOptions.resumeFrom } : {}),
    ...(startOptions.checkpoint ? { checkpoint: startOptions.checkpoint } : {}),
    ...(startOptions.monitorTest ? { monitorTest: true } : {}),
  };
}
