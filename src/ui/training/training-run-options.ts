/** What the UI asks of one training run, and what it learns from it. Types only. */
import type { StoredCheckpoint } from '../../storage/checkpoint-store';
import type { RunRecord } from '../../storage/run-store';
import type { RunEnd, SerializedModel } from '../../training/run-types';
import type { TrainingParams } from '../../training/training-params';
import type { CheckpointTarget } from '../../training/worker-protocol';

/** What the app needs to describe a freshly trained model. */
export interface TrainedSummary {
  params: TrainingParams;
  epochsCompleted: number;
  trainingAccuracy: number | null;
  validationAccuracy: number | null;
  testAccuracy: number | null;
  /** The TensorFlow.js version of the engine that trained it. */
  tfjsVersion?: string;
}

/** Per-batch metrics of the current run, in batch order. */
export interface BatchLog {
  loss: number[];
  accuracy: number[];
}

/** What whoever starts a run (the six-architecture experiment) asks of it and learns from it. */
export interface RunObserver {
  /** The checkpoint run id to write under, so the run can be found again after a reload. */
  runId?: string;
  /** Stamped on the run's record in the runs table. */
  experimentId?: string;
  /**
   * Called once, when the run has ended: with its record (and the id the runs table gave it)
   * when it completed or was stopped, without one when it failed or never started.
   */
  onFinished?: (end: RunEnd, run: RunRecord | undefined) => void;
}

/** How a run starts (fresh, further, resumed), where it checkpoints and whom it tells. */
export interface TrainingRunOptions {
  /** Train further from these weights (fresh optimizer) instead of a fresh model. */
  initialModel?: SerializedModel;
  /** Continue this checkpoint: its weights, optimizer state, history; `params` must be its. */
  resume?: StoredCheckpoint;
  /** Write a checkpoint after every epoch. */
  checkpoint?: CheckpointTarget;
  /** Called with the trained model when the run completes or is stopped. */
  onTrained?: (model: SerializedModel, summary: TrainedSummary) => void;
  /** Called when the checkpoint after `epochsCompleted` epochs is safely stored. */
  onCheckpoint?: (epochsCompleted: number) => void;
  /** Called once the run has ended, however it ended. */
  onEnded?: (end: RunEnd) => void;
  /** Called with the runs-table row of a run that completed or was stopped. */
  onRunRecord?: (run: RunRecord) => void;
}
