/**
 * The typed messages between the training client (training-client.ts) and the engine it runs
 * in a module worker (src/app/training.worker.ts) or on the main thread. Everything here
 * survives structured clone: numbers, strings, typed arrays, ArrayBuffers, plain objects.
 */
import type {
  BackendInfo,
  BackendRequest,
  BatchMetrics,
  EpochMetrics,
  EvaluationResult,
  RunEnd,
  SerializedModel,
  SplitArrays,
} from './run-types';
import type { TrainingParams } from './training-params';
import type { PauseState } from './run-control';
import type { ResumePoint } from './train-loop-types';

/** What a run needs; sent once per run. */
export interface StartRequest {
  params: TrainingParams;
  backendRequest: BackendRequest;
  train: SplitArrays;
  test: SplitArrays;
  /**
   * Train further from this model instead of building `params.architectureId` afresh (the
   * caller keeps the two consistent). It is still compiled with a fresh optimizer from params.
   * Structured clone copies it into the worker; the caller's weightData is never transferred.
   */
  initialModel?: SerializedModel;
  /**
   * Continue an interrupted run from a checkpoint: `initialModel` holds its weights, this the
   * epoch, history, optimizer slots and shuffle seed. `params` must be the run's own.
   */
  resumeFrom?: ResumePoint;
  /** Write a checkpoint after every epoch under this run id (none when absent). */
  checkpoint?: CheckpointTarget;
  /** Evaluate the test split after every epoch too (EpochMetrics.testAccuracy). */
  monitorTest?: boolean;
}

/** Where the engine writes a run's checkpoints. */
export interface CheckpointTarget {
  runId: string;
  /** dataset-store's datasetKey of the run's data, stored with each checkpoint. */
  datasetKey: string;
  /**
   * Also write the run's starting point (epoch 0: the initial weights, no optimizer slots yet)
   * before its first batch, so that a run stopped in its first epoch can be continued. The
   * command line asks for it; the tab does not (see docs/command-line.md).
   */
  includeStart?: boolean;
}

/** Evaluate a given model on a split; answered by `evaluation-result` or `request-error`. */
export interface EvaluateRequest {
  /** Chosen by the sender, unique among its open requests; echoed in the answer. */
  requestId: number;
  model: SerializedModel;
  test: SplitArrays;
  backendRequest: BackendRequest;
}

/** Class probabilities of a given model; answered by `prediction` or `request-error`. */
export interface PredictRequest {
  requestId: number;
  /**
   * Names `model` for the engine's one-entry cache: while the id stays the same the engine
   * reuses its deserialized copy; a different id disposes it and loads the new one.
   */
  modelId: string;
  /** May be omitted when the engine already holds `modelId` (saves cloning the weights). */
  model?: SerializedModel;
  /** uint8 [n × 784], 0–255, row-major 28 × 28 images. */
  images: Uint8Array;
  backendRequest: BackendRequest;
}

export type EngineRequest =
  ({ kind: 'evaluate' } & EvaluateRequest) | ({ kind: 'predict' } & PredictRequest);

export type MainToWorkerMessage =
  | ({ kind: 'start' } & StartRequest)
  /**
   * Take the Web Lock `lockName` and hold it for the worker's whole life. The browser frees a
   * lock when its holder ends, however it ends (terminated, crashed, out of memory), so the
   * client, queued for the same lock, learns of a silent death without any timer.
   */
  | { kind: 'hold-liveness-lock'; lockName: string }
  | { kind: 'pause' }
  | { kind: 'unpause' }
  | { kind: 'stop' }
  | EngineRequest;

export interface DonePayload {
  end: RunEnd;
  history: EpochMetrics[];
  /** Training time in milliseconds, pauses excluded. */
  elapsedMs: number;
  /** Absent when the run failed before a model existed. */
  model?: SerializedModel;
  /** The 0-based epoch whose weights `model` holds, when the recipe keeps the best ones. */
  keptEpoch?: number;
  /** Whether early stopping ended the run before its last epoch. */
  stoppedEarly?: boolean;
}

export type WorkerToMainMessage =
  | { kind: 'backend'; info: BackendInfo }
  /** The worker holds its liveness lock; the client may now queue for it. */
  | { kind: 'liveness-lock-held'; lockName: string }
  | { kind: 'batch'; metrics: BatchMetrics }
  | { kind: 'epoch'; metrics: EpochMetrics }
  | { kind: 'pause-state'; state: PauseState }
  | { kind: 'evaluation'; result: EvaluationResult }
  | ({ kind: 'done' } & DonePayload)
  | { kind: 'error'; message: string }
  /** The checkpoint after `epochsCompleted` epochs is fully written. */
  | { kind: 'checkpoint'; epochsCompleted: number }
  /** It could not be written; training goes on and the previous checkpoint stays. */
  | { kind: 'checkpoint-error'; epochsCompleted: number; message: string }
  | EngineAnswer;

/** Answers to EngineRequest, matched by requestId; independent of any training run. */
export type EngineAnswer =
  | { kind: 'evaluation-result'; requestId: number; result: EvaluationResult }
  /** probabilities: float32 [n × 10], row-major; each row sums to 1 (softmax). */
  | { kind: 'prediction'; requestId: number; probabilities: Float32Array }
  | { kind: 'request-error'; requestId: number; message: string };
