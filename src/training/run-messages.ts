/**
 * How the training client turns a run's protocol messages into hook calls and one result.
 * The same sink serves the worker and the main-thread engine, so both report alike.
 */
import type { PauseState } from './run-control';
import type {
  BackendInfo,
  BatchMetrics,
  EpochMetrics,
  EvaluationResult,
  RunEnd,
  SerializedModel,
} from './run-types';
import type { DonePayload, EngineAnswer, WorkerToMainMessage } from './worker-protocol';

export interface TrainingSessionHooks {
  onBackend?(info: BackendInfo): void;
  onBatch?(metrics: BatchMetrics): void;
  onEpoch?(metrics: EpochMetrics): void;
  onPauseStateChange?(state: PauseState): void;
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
  /** The 0-based epoch whose weights `model` holds, when the recipe keeps the best ones. */
  keptEpoch?: number;
  /** Whether early stopping ended the run before its last epoch. */
  stoppedEarly?: boolean;
}

export interface RunMessageSink {
  /** Filled in as messages arrive; final once `handle` has returned the done payload. */
  result: TrainingRunResult;
  /** Calls the matching hook; returns the payload of `done`, null for any other message. */
  handle(message: WorkerToMainMessage): DonePayload | null;
}

export function createRunMessageSink(hooks: TrainingSessionHooks): RunMessageSink {
  const result: TrainingRunResult = { end: 'failed', history: [], elapsedMs: 0 };
  return {
    result,
    handle(message) {
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
        case 'pause-state':
          hooks.onPauseStateChange?.(message.state);
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
          result.keptEpoch = message.keptEpoch;
          result.stoppedEarly = message.stoppedEarly;
          return message;
        default:
          // evaluate/predict answers are routed by requestId before they get here.
          return null;
      }
    },
  };
}

export function isEngineAnswer(message: WorkerToMainMessage): message is EngineAnswer {
  return (
    message.kind === 'evaluation-result' ||
    message.kind === 'prediction' ||
    message.kind === 'request-error'
  );
}
