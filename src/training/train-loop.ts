/**
 * The training loop: pure ML code (no DOM, no React), the same in a worker and on the main
 * thread. Reports through hooks and is steered through a TrainingController; see
 * docs/training-engine.md for the design.
 */
import * as tf from '@tensorflow/tfjs';
import { restoreOptimizerState, type OptimizerStateEntry } from '../storage/optimizer-state';
import {
  BatchGatherer,
  fillEpochOrder,
  randomSeed,
  splitForValidation,
  splitLength,
} from './batches';
import { evaluateLossAndAccuracy } from './evaluate';
import { createOptimizer } from './optimizers';
import type { BatchMetrics, EpochMetrics, SplitArrays, TrainingParams } from './training-protocol';

export type TrainingState = 'running' | 'paused';

export interface TrainingHooks {
  onBatchEnd?(metrics: BatchMetrics): void;
  onEpochEnd?(metrics: EpochMetrics): void;
  /** Called when a pause or resume takes effect (at a batch boundary), not when requested. */
  onStateChange?(state: TrainingState): void;
  /**
   * Awaited after every finished epoch (after onEpochEnd), before the next one starts: the
   * place to write a checkpoint, since model and optimizer hold exactly this epoch's state.
   */
  onEpochCommitted?(progress: EpochCommit): Promise<void>;
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
}

/**
 * Pause / resume / stop requests, honoured at the next batch boundary. Like an AbortSignal, a
 * stop is final; one controller steers one run.
 */
export class TrainingController {
  private paused = false;
  private stopped = false;
  private wake: (() => void) | null = null;

  get isPauseRequested(): boolean {
    return this.paused;
  }

  get isStopRequested(): boolean {
    return this.stopped;
  }

  pause(): void {
    if (!this.stopped) this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wakeUp();
  }

  stop(): void {
    this.stopped = true;
    this.paused = false;
    this.wakeUp();
  }

  /** Resolves when resumed or stopped (immediately if not paused). */
  waitWhilePaused(): Promise<void> {
    if (!this.paused) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/**
 * Yields to the event loop with a MessageChannel task: unlike setTimeout(0), browsers do not
 * clamp it to 4 ms after nesting, and it lets queued worker messages run first.
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof MessageChannel === 'undefined') {
    return new Promise((resolve) => setTimeout(resolve, 0));
  }
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * Compiles `model` Keras-equivalently: categorical cross-entropy on softmax outputs, accuracy
 * metric, a fresh optimizer from params.
 */
export function compileForTraining(
  model: tf.LayersModel,
  params: Pick<TrainingParams, 'optimizer' | 'learningRate'>,
): void {
  model.compile({
    optimizer: createOptimizer(params),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
}

/** Tracks training time with pauses cut out. */
class ActiveClock {
  private activeMs: number;
  private since: number;

  constructor(
    private readonly now: () => number,
    startMs = 0,
  ) {
    this.activeMs = startMs;
    this.since = now();
  }

  elapsedMs(): number {
    return this.since < 0 ? this.activeMs : this.activeMs + (this.now() - this.since);
  }

  suspend(): void {
    this.activeMs = this.elapsedMs();
    this.since = -1;
  }

  restart(): void {
    this.since = this.now();
  }
}

function toNumber(value: tf.Scalar | number | undefined): number {
  if (value === undefined) return Number.NaN;
  return typeof value === 'number' ? value : value.dataSync()[0];
}

/**
 * Trains `model` (compiled here, see compileForTraining) on `data.train` for `params.epochs`,
 * holding out the last `params.validationFraction` for validation (Keras validation_split).
 * Batches are gathered per step from the uint8 arrays; every epoch visits the training rows in
 * an order fixed by (shuffle seed, epoch): `params.seed`, a resumed run's seed, or a random one.
 * With `options.resumeFrom` the run continues at that epoch with the restored optimizer state.
 */
export async function trainModel(
  model: tf.LayersModel,
  data: { train: SplitArrays },
  params: TrainingParams,
  hooks: TrainingHooks,
  control: TrainingController,
  options: TrainRunOptions = {},
): Promise<TrainingOutcome> {
  const now = options.now ?? (() => performance.now());
  const pauseYield = options.yieldToEventLoop ?? yieldToEventLoop;
  if (!Number.isInteger(params.batchSize) || params.batchSize < 1) {
    throw new Error(`Batch size must be a positive integer, got ${params.batchSize}`);
  }
  if (!Number.isInteger(params.epochs) || params.epochs < 0) {
    throw new Error(`Epochs must be a non-negative integer, got ${params.epochs}`);
  }
  splitLength(data.train);
  const { train, validation } = splitForValidation(data.train, params.validationFraction);
  const trainCount = train.labels.length;
  if (trainCount === 0) throw new Error('No training rows left after the validation split');

  const resume = options.resumeFrom;
  if (resume && !(Number.isInteger(resume.epochsCompleted) && resume.epochsCompleted >= 0)) {
    throw new Error(`Cannot resume after ${resume.epochsCompleted} epochs`);
  }
  compileForTraining(model, params);
  try {
    // Adam and RMSprop create their slots lazily; setWeights creates them from the checkpoint.
    if (resume) await restoreOptimizerState(model.optimizer, resume.optimizerState);
    return await runEpochs(
      model,
      train,
      validation,
      params,
      hooks,
      control,
      now,
      pauseYield,
      resume,
      options.evaluationBatchSize,
    );
  } finally {
    // We created the optimizer, so we free its slots; tfjs' model.dispose() would not
    // (tfjs only disposes optimizers it built from a name). The next trainModel recompiles.
    model.optimizer.dispose();
  }
}

async function runEpochs(
  model: tf.LayersModel,
  train: SplitArrays,
  validation: SplitArrays,
  params: TrainingParams,
  hooks: TrainingHooks,
  control: TrainingController,
  now: () => number,
  pauseYield: () => Promise<void>,
  resume: ResumePoint | undefined,
  evaluationBatchSize: number | undefined,
): Promise<TrainingOutcome> {
  const trainCount = train.labels.length;
  const shuffleSeed = resume?.shuffleSeed ?? params.seed ?? randomSeed();
  const order = new Uint32Array(trainCount);
  const gatherer = new BatchGatherer(train, params.batchSize);
  const batchesPerEpoch = Math.ceil(trainCount / params.batchSize);
  const firstEpoch = resume?.epochsCompleted ?? 0;
  const clock = new ActiveClock(now, resume?.elapsedMs ?? 0);
  // Throughput counts only this call's work, so a resumed run does not look faster.
  const throughputClock = new ActiveClock(now);
  const history: EpochMetrics[] = resume ? resume.history.slice(0, firstEpoch) : [];
  let samplesSeen = 0;
  let batchesRun = 0;

  /** True when the run should end; handles a pause (and a stop during it) at this boundary. */
  const shouldStopAtBoundary = async (): Promise<boolean> => {
    await pauseYield();
    if (control.isPauseRequested && !control.isStopRequested) {
      clock.suspend();
      throughputClock.suspend();
      hooks.onStateChange?.('paused');
      await control.waitWhilePaused();
      clock.restart();
      throughputClock.restart();
      if (!control.isStopRequested) hooks.onStateChange?.('running');
    }
    return control.isStopRequested;
  };

  const finish = (end: TrainingOutcome['end']): TrainingOutcome => ({
    end,
    epochsCompleted: history.length,
    batchesRun,
    history,
    elapsedMs: clock.elapsedMs(),
  });

  if (control.isStopRequested) return finish('stopped');
  for (let epoch = firstEpoch; epoch < params.epochs; epoch++) {
    fillEpochOrder(order, shuffleSeed, epoch);
    let lossSum = 0;
    let correctSum = 0;
    for (let batch = 0; batch < batchesPerEpoch; batch++) {
      const start = batch * params.batchSize;
      const rows = order.subarray(start, Math.min(start + params.batchSize, trainCount));
      const { xs, ys } = gatherer.gather(rows);
      let logs: (tf.Scalar | number)[];
      try {
        // trainOnBatch reads loss and accuracy back (one small sync per step).
        const result = await model.trainOnBatch(xs, ys);
        logs = Array.isArray(result) ? result : [result];
      } finally {
        xs.dispose();
        ys.dispose();
      }
      const loss = toNumber(logs[0]);
      const accuracy = toNumber(logs[1]);
      lossSum += loss * rows.length;
      correctSum += accuracy * rows.length;
      samplesSeen += rows.length;
      batchesRun++;
      const activeMs = throughputClock.elapsedMs();
      hooks.onBatchEnd?.({
        epoch,
        batch,
        batchesPerEpoch,
        loss,
        accuracy,
        samplesSeen,
        samplesPerSec: activeMs > 0 ? (samplesSeen * 1000) / activeMs : 0,
        elapsedMs: clock.elapsedMs(),
      });
      const isLastBatch = batch === batchesPerEpoch - 1;
      // After the last batch the epoch still ends (validation + onEpochEnd) before stopping.
      if (!isLastBatch && (await shouldStopAtBoundary())) return finish('stopped');
    }

    // Let queued messages (and, on the main thread, the page) run between the epoch's last
    // step and validation, instead of one task holding both.
    await pauseYield();
    const val =
      validation.labels.length > 0
        ? await evaluateLossAndAccuracy(model, validation, {
            yieldToEventLoop: pauseYield,
            batchSize: evaluationBatchSize,
          })
        : { loss: Number.NaN, accuracy: Number.NaN };
    // Keras reports the epoch's training metrics as the sample-weighted mean over its batches.
    const epochMetrics: EpochMetrics = {
      epoch,
      loss: lossSum / trainCount,
      accuracy: correctSum / trainCount,
      valLoss: val.loss,
      valAccuracy: val.accuracy,
      elapsedMs: clock.elapsedMs(),
    };
    history.push(epochMetrics);
    hooks.onEpochEnd?.(epochMetrics);
    await hooks.onEpochCommitted?.({
      epochsCompleted: epoch + 1,
      history: history.slice(),
      elapsedMs: clock.elapsedMs(),
      shuffleSeed,
    });
    if (epoch < params.epochs - 1 && (await shouldStopAtBoundary())) return finish('stopped');
  }
  return finish('completed');
}
