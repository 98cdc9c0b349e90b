/**
 * What the training loop (train-loop.ts) takes and gives: the hooks it reports through, the
 * epoch commit a checkpoint is written from, the point a resumed run starts at, its options
 * and its outcome. Plain data and callbacks, no tensors, so the engine, the checkpoint code
 * and the worker protocol can name them without loading the loop.
 */
import type { OptimizerStateEntry } from './optimizer-state';
import type { PauseState } from './run-control';
import type { BatchMetrics, EpochMetrics, SplitArrays } from './run-types';

export interface TrainingHooks {
  onBatchEnd?(metrics: BatchMetrics): void;
  onEpochEnd?(metrics: EpochMetrics): void;
  /** Called when a pause or unpause takes effect (at a batch boundary), not when requested. */
  onPauseStateChange?(state: PauseState): void;
  /**
   * Awaited after every finished epoch (after onEpochEnd), before the next one starts: the
   * place to write a checkpoint, since model and optimizer hold exactly this epoch's state.
   */
  onEpochCommitted?(progress: EpochCommit): Promise<void>;
}

/**
 * The epoch with the best validation accuracy so far, tracked when the recipe keeps the best
 * weights or stops early.
 */
export interface BestEpoch {
  /** 0-based epoch index. */
  epoch: number;
  valAccuracy: number;
  /** All weights after that epoch (model.getWeights() order, float32), when they are kept. */
  weightData?: ArrayBuffer;
}

/** The run's state at an epoch boundary, enough (with weights and optimizer) to resume. */
export interface EpochCommit {
  /** Epochs finished so far, counting those before a resume. */
  epochsCompleted: number;
  history: EpochMetrics[];
  /** Training time of the whole run so far in milliseconds, pauses excluded. */
  elapsedMs: number;
  /** The seed of the per-epoch row order; a resumed run must use the same one. */
  shuffleSeed: number;
  /** The best epoch so far, when tracked. */
  best?: BestEpoch;
}

/** Where a resumed run picks up: a checkpoint's contents minus the weights. */
export interface ResumePoint {
  /** Epochs already finished; training continues with this 0-based epoch index. */
  epochsCompleted: number;
  /** Their metrics, kept as the start of the run's history. */
  history: EpochMetrics[];
  elapsedMs: number;
  shuffleSeed: number;
  /** The optimizer's slots at that epoch's end (Adam moments, step count …). */
  optimizerState: OptimizerStateEntry[];
  /** The best epoch up to there, when the recipe tracks it. */
  best?: BestEpoch;
}

export interface TrainLoopOptions {
  /** Milliseconds, monotonic; injectable for tests. Default performance.now. */
  now?: () => number;
  /** Awaited between batches so pause/stop messages get through. Default yieldToEventLoop. */
  yieldToEventLoop?: () => Promise<void>;
  /**
   * Rows per validation step (default evaluate.ts's EVALUATION_BATCH_SIZE). The main-thread
   * path uses fewer, since every step there is a task the page cannot interrupt.
   */
  evaluationBatchSize?: number;
}

/** Per-run options of trainModel. */
export interface TrainRunOptions extends TrainLoopOptions {
  /** Continue an interrupted run: its model's weights must already be in `model`. */
  resumeFrom?: ResumePoint;
  /**
   * Commit (onEpochCommitted with 0 epochs completed) the fresh run's starting point before
   * its first batch: the initial weights and the row-order seed. Ignored when resuming.
   */
  commitStart?: boolean;
  /**
   * Also evaluate this split (the test set) after every epoch, into EpochMetrics.testLoss and
   * testAccuracy: for learning curves measured against a reference. It never steers training.
   */
  monitorTest?: SplitArrays;
}

export interface TrainingOutcome {
  end: 'completed' | 'stopped';
  /** Epochs whose every batch ran. */
  epochsCompleted: number;
  /** Training steps run by this call (not counting those before a resume). */
  batchesRun: number;
  /** Every epoch's metrics, those before a resume included. */
  history: EpochMetrics[];
  /** Training time in milliseconds, pauses excluded, time before a resume included. */
  elapsedMs: number;
  /** The 0-based epoch whose weights the model holds at the end, when the best are kept. */
  keptEpoch?: number;
  /** Whether early stopping ended the run before its last epoch. */
  stoppedEarly: boolean;
}
