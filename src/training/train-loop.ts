/**
 * The training loop: pure ML code (no DOM, no React), the same in a worker and on the main
 * thread. Reports through hooks and is steered through a RunControl; see
 * docs/training-engine.md for the design. Its hooks, options and outcome are in train-loop-types.ts.
 */
import * as tf from '@tensorflow/tfjs';
import {
  BatchGatherer,
  fillEpochOrder,
  randomSeed,
  splitForValidation,
  splitLength,
} from './batches';
import { evaluateLossAndAccuracy } from './evaluate';
import { learningRateAt, type LrScheduleShape } from './lr-schedule';
import { createOptimizer } from './optimizers';
import { restoreOptimizerState } from './optimizer-state';
import { ActiveClock, yieldToEventLoop, type RunControl } from './run-control';
import type { EpochMetrics, SplitArrays } from './run-types';
import type {
  BestEpoch,
  TrainingHooks,
  TrainingOutcome,
  TrainRunOptions,
} from './train-loop-types';
import {
  assertTrainingParams,
  recipeOf,
  type RecipeSettings,
  type TrainingParams,
} from './training-params';
import {
  applyWeightDecay,
  decayedWeights,
  DropoutSeeds,
  readWeightData,
  setLearningRate,
  writeWeightData,
} from './weights';

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
  control: RunControl,
  options: TrainRunOptions = {},
): Promise<TrainingOutcome> {
  assertTrainingParams(params);
  splitLength(data.train);
  const { train, validation } = splitForValidation(data.train, params.validationFraction);
  if (train.labels.length === 0)
    throw new Error('No training rows left after the validation split');
  const resume = options.resumeFrom;
  if (resume && !(Number.isInteger(resume.epochsCompleted) && resume.epochsCompleted >= 0)) {
    throw new Error(`Cannot resume after ${resume.epochsCompleted} epochs`);
  }
  compileForTraining(model, params);
  const dropoutSeeds = new DropoutSeeds(model);
  try {
    // Adam and RMSprop create their slots lazily; setWeights creates them from the checkpoint.
    if (resume) await restoreOptimizerState(model.optimizer, resume.optimizerState);
    const loop = new EpochLoop(model, { train, validation }, params, hooks, control, options);
    return await loop.run(dropoutSeeds);
  } finally {
    dropoutSeeds.restore();
    // We created the optimizer, so we free its slots; tfjs' model.dispose() would not
    // (tfjs only disposes optimizers it built from a name). The next trainModel recompiles.
    model.optimizer.dispose();
  }
}

function toNumber(value: tf.Scalar | number | undefined): number {
  if (value === undefined) return Number.NaN;
  return typeof value === 'number' ? value : value.dataSync()[0];
}

/** One run's epochs: the state they share, and the steps of each. */
class EpochLoop {
  private readonly trainCount: number;
  private readonly batchesPerEpoch: number;
  private readonly shuffleSeed: number;
  private readonly firstEpoch: number;
  private readonly order: Uint32Array;
  private readonly gatherer: BatchGatherer;
  private readonly clock: ActiveClock;
  /** Counts only this call's work, so a resumed run does not look faster. */
  private readonly throughputClock: ActiveClock;
  private readonly pauseYield: () => Promise<void>;
  private readonly history: EpochMetrics[];
  private readonly recipe: RecipeSettings;
  private readonly schedule: LrScheduleShape;
  private readonly decayed: tf.LayerVariable[];
  /** Whether the best epoch is tracked (for keeping its weights or for stopping early). */
  private readonly isTrackingBest: boolean;
  private best: BestEpoch | undefined;
  private samplesSeen = 0;
  private batchesRun = 0;

  private readonly validation: SplitArrays;
  private dropoutSeeds: DropoutSeeds | null = null;

  constructor(
    private readonly model: tf.LayersModel,
    { train, validation }: { train: SplitArrays; validation: SplitArrays },
    private readonly params: TrainingParams,
    private readonly hooks: TrainingHooks,
    private readonly control: RunControl,
    private readonly options: TrainRunOptions,
  ) {
    const resume = options.resumeFrom;
    const now = options.now ?? (() => performance.now());
    this.validation = validation;
    this.trainCount = train.labels.length;
    this.batchesPerEpoch = Math.ceil(this.trainCount / params.batchSize);
    this.shuffleSeed = resume?.shuffleSeed ?? params.seed ?? randomSeed();
    this.firstEpoch = resume?.epochsCompleted ?? 0;
    this.order = new Uint32Array(this.trainCount);
    this.clock = new ActiveClock(now, resume?.elapsedMs ?? 0);
    this.throughputClock = new ActiveClock(now);
    this.pauseYield = options.yieldToEventLoop ?? yieldToEventLoop;
    this.history = resume ? resume.history.slice(0, this.firstEpoch) : [];
    this.recipe = recipeOf(params);
    this.gatherer = new BatchGatherer(train, params.batchSize, {
      labelSmoothing: this.recipe.labelSmoothing,
    });
    this.schedule = {
      kind: this.recipe.lrSchedule,
      learningRate: params.learningRate,
      epochs: params.epochs,
      stepsPerEpoch: this.batchesPerEpoch,
    };
    this.decayed = this.recipe.weightDecay > 0 ? decayedWeights(model) : [];
    this.isTrackingBest = this.recipe.keepBestWeights || this.recipe.earlyStoppingPatience > 0;
    this.best = resume?.best;
  }

  /** Trains every remaining epoch; `dropoutSeeds` gets each step's masks seeded. */
  async run(dropoutSeeds: DropoutSeeds): Promise<TrainingOutcome> {
    this.dropoutSeeds = dropoutSeeds;
    if (this.options.commitStart && !this.options.resumeFrom) {
      // The optimizer is compiled but has taken no step: its slots are still empty.
      await this.hooks.onEpochCommitted?.({
        epochsCompleted: 0,
        history: [],
        elapsedMs: this.clock.elapsedMs(),
        shuffleSeed: this.shuffleSeed,
      });
    }
    if (this.control.isStopRequested) return this.finish('stopped');
    for (let epoch = this.firstEpoch; epoch < this.params.epochs; epoch++) {
      const sums = await this.trainEpoch(epoch);
      if (sums === 'stopped') return this.finish('stopped');
      await this.endEpoch(epoch, sums);
      const isLastEpoch = epoch === this.params.epochs - 1;
      if (!isLastEpoch && this.isPatienceOver(epoch)) return this.finish('completed', true);
      if (!isLastEpoch && (await this.shouldStopAtBoundary())) return this.finish('stopped');
    }
    return this.finish('completed');
  }

  /** Early stopping: `patience` epochs have passed since the best validation accuracy. */
  private isPatienceOver(epoch: number): boolean {
    const patience = this.recipe.earlyStoppingPatience;
    return patience > 0 && this.best !== undefined && epoch - this.best.epoch >= patience;
  }

  /** Every batch of one epoch; the sample-weighted loss and accuracy sums, or 'stopped'. */
  private async trainEpoch(epoch: number): Promise<{ loss: number; correct: number } | 'stopped'> {
    const { batchSize } = this.params;
    fillEpochOrder(this.order, this.shuffleSeed, epoch);
    const sums = { loss: 0, correct: 0 };
    for (let batch = 0; batch < this.batchesPerEpoch; batch++) {
      const start = batch * batchSize;
      const rows = this.order.subarray(start, Math.min(start + batchSize, this.trainCount));
      const { loss, accuracy } = await this.trainBatch(rows, epoch, batch);
      sums.loss += loss * rows.length;
      sums.correct += accuracy * rows.length;
      this.samplesSeen += rows.length;
      this.batchesRun++;
      this.reportBatch(epoch, batch, loss, accuracy);
      const isLastBatch = batch === this.batchesPerEpoch - 1;
      // After the last batch the epoch still ends (validation + onEpochEnd) before stopping.
      if (!isLastBatch && (await this.shouldStopAtBoundary())) return 'stopped';
    }
    return sums;
  }

  /** The learning rate of step `batch` of `epoch`, from the recipe's schedule. */
  private learningRateOf(epoch: number, batch: number): number {
    return learningRateAt(this.schedule, epoch * this.batchesPerEpoch + batch);
  }

  private async trainBatch(
    rows: Uint32Array,
    epoch: number,
    batch: number,
  ): Promise<{ loss: number; accuracy: number }> {
    const { recipe } = this;
    const augmentation = {
      settings: { flip: recipe.augmentFlip, shiftPx: recipe.augmentShiftPx },
      seed: this.shuffleSeed,
      epoch,
    };
    const { xs, ys } = this.gatherer.gather(rows, augmentation);
    const learningRate = this.learningRateOf(epoch, batch);
    setLearningRate(this.model.optimizer, learningRate);
    this.dropoutSeeds?.setStep(epoch * this.batchesPerEpoch + batch);
    let logs: (tf.Scalar | number)[];
    try {
      // trainOnBatch reads loss and accuracy back (one small sync per step).
      const result = await this.model.trainOnBatch(xs, ys);
      logs = Array.isArray(result) ? result : [result];
    } finally {
      xs.dispose();
      ys.dispose();
    }
    applyWeightDecay(this.decayed, learningRate, recipe.weightDecay);
    return { loss: toNumber(logs[0]), accuracy: toNumber(logs[1]) };
  }

  private reportBatch(epoch: number, batch: number, loss: number, accuracy: number): void {
    const activeMs = this.throughputClock.elapsedMs();
    this.hooks.onBatchEnd?.({
      epoch,
      batch,
      batchesPerEpoch: this.batchesPerEpoch,
      loss,
      accuracy,
      samplesSeen: this.samplesSeen,
      samplesPerSec: activeMs > 0 ? (this.samplesSeen * 1000) / activeMs : 0,
      elapsedMs: this.clock.elapsedMs(),
    });
  }

  /** Validation, the epoch's metrics, and the commit (checkpoint) hook. */
  private async endEpoch(epoch: number, sums: { loss: number; correct: number }): Promise<void> {
    // Let queued messages (and, on the main thread, the page) run between the epoch's last
    // step and validation, instead of one task holding both.
    await this.pauseYield();
    const evaluation = {
      yieldToEventLoop: this.pauseYield,
      batchSize: this.options.evaluationBatchSize,
    };
    const val =
      this.validation.labels.length > 0
        ? await evaluateLossAndAccuracy(this.model, this.validation, evaluation)
        : { loss: Number.NaN, accuracy: Number.NaN };
    const { monitorTest } = this.options;
    const test =
      monitorTest && (await evaluateLossAndAccuracy(this.model, monitorTest, evaluation));
    // Keras reports the epoch's training metrics as the sample-weighted mean over its batches.
    const metrics: EpochMetrics = {
      epoch,
      loss: sums.loss / this.trainCount,
      accuracy: sums.correct / this.trainCount,
      valLoss: val.loss,
      valAccuracy: val.accuracy,
      elapsedMs: this.clock.elapsedMs(),
      learningRate: this.learningRateOf(epoch, 0),
      ...(test ? { testLoss: test.loss, testAccuracy: test.accuracy } : {}),
    };
    this.history.push(metrics);
    this.hooks.onEpochEnd?.(metrics);
    // A checkpoint saves the topology, whose dropout seeds must be the model's own.
    this.dropoutSeeds?.restore();
    await this.trackBest(metrics);
    await this.hooks.onEpochCommitted?.({
      epochsCompleted: epoch + 1,
      history: this.history.slice(),
      elapsedMs: this.clock.elapsedMs(),
      shuffleSeed: this.shuffleSeed,
      ...(this.best ? { best: this.best } : {}),
    });
  }

  /** Remembers the epoch (and, to keep them, the weights) of the best validation accuracy. */
  private async trackBest(metrics: EpochMetrics): Promise<void> {
    if (!this.isTrackingBest) return;
    // Without validation rows every epoch counts as no better, so the last weights stay.
    if (this.best !== undefined && !(metrics.valAccuracy > this.best.valAccuracy)) return;
    if (this.best === undefined && Number.isNaN(metrics.valAccuracy)) return;
    this.best = {
      epoch: metrics.epoch,
      valAccuracy: metrics.valAccuracy,
      ...(this.recipe.keepBestWeights ? { weightData: await readWeightData(this.model) } : {}),
    };
  }

  /** True when the run should end; handles a pause (and a stop during it) at this boundary. */
  private async shouldStopAtBoundary(): Promise<boolean> {
    const { control, hooks } = this;
    await this.pauseYield();
    if (control.isPauseRequested && !control.isStopRequested) {
      this.clock.suspend();
      this.throughputClock.suspend();
      hooks.onPauseStateChange?.('paused');
      await control.waitWhilePaused();
      this.clock.restart();
      this.throughputClock.restart();
      if (!control.isStopRequested) hooks.onPauseStateChange?.('running');
    }
    return control.isStopRequested;
  }

  /**
   * The outcome; with keepBestWeights, the model first gets the best epoch's weights back
   * (however the run ended, as Keras's EarlyStopping(restore_best_weights=True) does).
   */
  private finish(end: TrainingOutcome['end'], stoppedEarly = false): TrainingOutcome {
    const kept = this.recipe.keepBestWeights ? this.best : undefined;
    if (kept?.weightData) writeWeightData(this.model, kept.weightData);
    return {
      end,
      epochsCompleted: this.history.length,
      batchesRun: this.batchesRun,
      history: this.history,
      elapsedMs: this.clock.elapsedMs(),
      stoppedEarly,
      ...(kept ? { keptEpoch: kept.epoch } : {}),
    };
  }
}
