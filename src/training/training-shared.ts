/**
 * The typed message protocol between training-main.ts and training.worker.ts. Everything here
 * survives structured clone: numbers, strings, typed arrays, ArrayBuffers, plain objects.
 */
import type * as tf from '@tensorflow/tfjs';
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
import type { TrainingState } from './train-loop';

/** What a run needs; sent once per run. */
export interface StartRequest {
  params: TrainingParams;
  backendRequest: BackendRequest;
  train: SplitArrays;
  test: SplitArrays;
}

export type MainToWorkerMessage =
  ({ kind: 'start' } & StartRequest) | { kind: 'pause' } | { kind: 'resume' } | { kind: 'stop' };

/** The trained model as plain data: tfjs ModelArtifacts minus anything non-cloneable. */
export interface SerializedModel {
  /** Keras-style model topology JSON (tfjs `modelTopology`). */
  modelTopology: object;
  weightSpecs: tf.io.WeightsManifestEntry[];
  /** All weights concatenated in weightSpecs order. */
  weightData: ArrayBuffer;
}

export interface DonePayload {
  end: RunEnd;
  history: EpochMetrics[];
  /** Training time in milliseconds, pauses excluded. */
  elapsedMs: number;
  /** Absent when the run failed before a model existed. */
  model?: SerializedModel;
}

export type WorkerToMainMessage =
  | { kind: 'backend'; info: BackendInfo }
  | { kind: 'batch'; metrics: BatchMetrics }
  | { kind: 'epoch'; metrics: EpochMetrics }
  | { kind: 'state'; state: TrainingState }
  | { kind: 'evaluation'; result: EvaluationResult }
  | ({ kind: 'done' } & DonePayload)
  | { kind: 'error'; message: string };
