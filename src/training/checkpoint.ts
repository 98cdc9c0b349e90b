/**
 * What the engine hands over at the end of an epoch so that a run can resume there, and the
 * one method it needs from whatever keeps it. The engine never chooses the storage: the
 * composition points (the worker entry, the main-thread session) pass a writer in.
 */
import type { OptimizerStateEntry } from './optimizer-state';
import type { EpochMetrics, SerializedModel } from './run-types';
import type { BestEpoch } from './train-loop-types';
import type { TrainingParams } from './training-params';

/** A run's state after `epoch` epochs: weights, optimizer slots, history, row order. */
export interface TrainingCheckpoint {
  runId: string;
  /** Epochs completed; a resumed run starts at this 0-based epoch index. */
  epoch: number;
  params: TrainingParams;
  history: EpochMetrics[];
  model: SerializedModel;
  optimizerState: OptimizerStateEntry[];
  /** Training time up to this epoch's end, ms, pauses excluded. */
  elapsedMs: number;
  /** Seed of the per-epoch row order (batches.ts fillEpochOrder), uint32. */
  shuffleSeed: number;
  /**
   * Which data the run trained on (the storage layer's dataset key), so resuming is offered
   * only with the same data; empty when unknown.
   */
  datasetKey: string;
  /** The best epoch so far and its weights, when the recipe tracks it. */
  best?: BestEpoch;
}

/** Keeps checkpoints; a rejected write leaves the previous checkpoint readable. */
export interface CheckpointWriter {
  writeCheckpoint(checkpoint: TrainingCheckpoint): Promise<unknown>;
}
