/**
 * The code the worker runs, and the main-thread fallback runs unchanged: backend → model (fresh
 * or the given one) → train → evaluate the test split → done with the weights; and, between or
 * during runs, evaluation of and prediction with a given model (model-requests.ts). It speaks
 * only the protocol of worker-protocol.ts through `emit`, so the client cannot tell where it
 * runs.
 */
import * as tf from '@tensorflow/tfjs';
import { createModel } from '../model/architectures';
import { errorMessage } from '../shared/errors';
import { initBackend } from './backend/backend';
import type { CheckpointWriter } from './checkpoint';
import { EVALUATION_BATCH_SIZE, evaluateModel } from './evaluate';
import { createModelRequests, type EmitMessage, type ModelRequests } from './model-requests';
import { captureOptimizerState } from './optimizer-state';
import { RunControl, yieldToEventLoop } from './run-control';
import {
  describeInterruption,
  watchWebglContext,
  type RunInterruption,
  type WebglContextWatch,
} from './run-interruption';
import type { BackendInfo, BackendRequest, EpochMetrics } from './run-types';
import { deserializeModel, serializeModel } from './serialized-model';
import { trainModel } from './train-loop';
import type { EpochCommit, TrainingHooks, TrainLoopOptions } from './train-loop-types';
import { recipeOf, type TrainingParams } from './training-params';
import type { CheckpointTarget, StartRequest } from './worker-protocol';

export type { EmitMessage } from './model-requests';

/**
 * Evaluation rows per step on the main-thread fallback: each step is a task the page cannot
 * interrupt, so it must stay short (a fraction of a second for the seed CNN on WASM).
 */
export const MAIN_THREAD_EVALUATION_BATCH_SIZE = 32;

export interface TrainingEngineOptions extends TrainLoopOptions {
  /** Builds the model; default createModel(params.architectureId, { seed }). For tests. */
  buildModel?: (params: TrainingParams) => tf.LayersModel;
  /** Default backend.ts's initBackend. */
  initBackend?: typeof initBackend;
  /**
   * Where checkpoints go (the composition point passes browser storage in). Without it, a run
   * asked to checkpoint reports every checkpoint as not written and trains on.
   */
  createCheckpointStore?: () => CheckpointWriter;
  /** Watches the GPU context during a run; default run-interruption.ts's (WebGL only). */
  watchContext?: typeof watchWebglContext;
}

export interface TrainingEngine extends Omit<ModelRequests, 'dispose'> {
  /** Runs one training run to its end; never rejects (failures become error + done). */
  run(request: StartRequest): Promise<void>;
  pause(): void;
  unpause(): void;
  stop(): void;
  /** The model of the latest run, kept alive for saving and prediction; null before one. */
  getModel(): tf.LayersModel | null;
  dispose(): void;
}

export function createTrainingEngine(
  path: BackendInfo['path'],
  emit: EmitMessage,
  options: TrainingEngineOptions = {},
): TrainingEngine {
  return new Engine(path, emit, options);
}

class Engine implements TrainingEngine {
  private control = new RunControl();
  private model: tf.LayersModel | null = null;
  private isRunning = false;
  private checkpointWriter: CheckpointWriter | null = null;
  /** Why the current run was cut short from outside (GPU lost, losses not numbers), if it was. */
  private interruption: RunInterruption | null = null;
  /** The epoch of the newest checkpoint of the current run that is safely stored. */
  private checkpointEpoch: number | null = null;
  private contextWatch: WebglContextWatch | null = null;
  /**
   * 0-based epoch in progress, for saying when a loss happened: the latest batch's epoch, and
   * the next one once an epoch is committed (a run paused after a checkpoint is between them).
   */
  private currentEpoch = 0;
  /** The request last applied with chooseBackend, as JSON, and the backend it gave. */
  private appliedBackend: { key: string; name: string } | null = null;
  private readonly buildModel: (params: TrainingParams) => tf.LayersModel;
  private readonly chooseBackend: typeof initBackend;
  private readonly evaluation: { batchSize: number; yieldToEventLoop: () => Promise<void> };
  private readonly requests: ModelRequests;
  readonly evaluate: ModelRequests['evaluate'];
  readonly predict: ModelRequests['predict'];
  readonly answer: ModelRequests['answer'];
  readonly getCachedModelId: ModelRequests['getCachedModelId'];

  constructor(
    private readonly path: BackendInfo['path'],
    private readonly emit: EmitMessage,
    private readonly options: TrainingEngineOptions,
  ) {
    this.buildModel =
      options.buildModel ?? ((params) => createModel(params.architectureId, { seed: params.seed }));
    this.chooseBackend = options.initBackend ?? initBackend;
    // Evaluation yields between its batches like training does: on WASM `data()` resolves
    // without returning to the event loop, so without this a test-set evaluation is one task.
    this.evaluation = {
      yieldToEventLoop: options.yieldToEventLoop ?? yieldToEventLoop,
      batchSize:
        options.evaluationBatchSize ??
        (path === 'main-thread' ? MAIN_THREAD_EVALUATION_BATCH_SIZE : EVALUATION_BATCH_SIZE),
    };
    this.requests = createModelRequests({
      emit,
      evaluation: this.evaluation,
      ensureBackend: (request) => this.ensureBackend(request),
    });
    this.evaluate = this.requests.evaluate;
    this.predict = this.requests.predict;
    this.answer = this.requests.answer;
    this.getCachedModelId = this.requests.getCachedModelId;
  }

  pause(): void {
    this.control.pause();
  }

  unpause(): void {
    this.control.unpause();
  }

  stop(): void {
    this.control.stop();
  }

  getModel(): tf.LayersModel | null {
    return this.model;
  }

  dispose(): void {
    this.control.stop();
    this.model?.dispose();
    this.model = null;
    this.requests.dispose();
  }

  async run(request: StartRequest): Promise<void> {
    this.control = new RunControl();
    const runControl = this.control;
    let history: EpochMetrics[] = [];
    let elapsedMs = 0;
    this.isRunning = true;
    this.interruption = null;
    this.checkpointEpoch =
      request.checkpoint && request.resumeFrom ? request.resumeFrom.epochsCompleted : null;
    this.currentEpoch = request.resumeFrom?.epochsCompleted ?? 0;
    try {
      // Every run re-applies the request: the user may have picked another backend.
      this.emit({ kind: 'backend', info: await this.applyBackend(request.backendRequest) });
      const watchContext = this.options.watchContext ?? watchWebglContext;
      this.contextWatch = watchContext(() =>
        this.interrupt({ kind: 'gpu-lost', epoch: this.currentEpoch }),
      );
      this.model?.dispose();
      this.model = null;
      this.model = request.initialModel
        ? await deserializeModel(request.initialModel)
        : this.buildModel(request.params);
      const trained = this.model;
      const outcome = await trainModel(
        trained,
        { train: request.train },
        request.params,
        this.runHooks(trained, request),
        runControl,
        {
          ...this.options,
          evaluationBatchSize: this.evaluation.batchSize,
          resumeFrom: request.resumeFrom,
          commitStart: request.checkpoint?.includeStart === true,
          ...(request.monitorTest ? { monitorTest: request.test } : {}),
        },
      );
      history = outcome.history;
      elapsedMs = outcome.elapsedMs;
      this.throwIfInterrupted(history.length);
      const testTimeFlip = recipeOf(request.params).testTimeFlip;
      const result = await evaluateModel(trained, request.test, {
        ...this.evaluation,
        testTimeFlip,
      });
      this.throwIfInterrupted(history.length);
      this.emit({ kind: 'evaluation', result });
      const serialized = await serializeModel(trained);
      const { end, keptEpoch, stoppedEarly } = outcome;
      this.emit(
        { kind: 'done', end, history, elapsedMs, model: serialized, keptEpoch, stoppedEarly },
        [serialized.weightData],
      );
    } catch (error) {
      // Operations on a lost context may throw before the loop sees the loss: say what it was.
      if (this.contextWatch?.isLost()) this.interrupt({ kind: 'gpu-lost', epoch: history.length });
      const message = this.interruption
        ? describeInterruption(this.interruption, this.checkpointEpoch)
        : errorMessage(error);
      this.emit({ kind: 'error', message });
      this.emit({ kind: 'done', end: 'failed', history, elapsedMs });
    } finally {
      this.contextWatch?.dispose();
      this.contextWatch = null;
      this.isRunning = false;
    }
  }

  /** Stops the run at the next batch boundary; the first reason given is the one kept. */
  private interrupt(interruption: RunInterruption): void {
    this.interruption ??= interruption;
    this.control.stop();
  }

  /** After a loss was seen nothing the run computed is trusted: no evaluation, no model. */
  private throwIfInterrupted(epochsCompleted: number): void {
    if (this.contextWatch?.isLost()) this.interrupt({ kind: 'gpu-lost', epoch: epochsCompleted });
    if (this.interruption) throw new Error('interrupted');
  }

  /** The loop's reports as protocol messages, and a checkpoint per epoch when asked. */
  private runHooks(trained: tf.LayersModel, request: StartRequest): TrainingHooks {
    const { checkpoint } = request;
    return {
      onBatchEnd: (metrics) => {
        this.emit({ kind: 'batch', metrics });
        const { epoch, batch, loss } = metrics;
        this.currentEpoch = epoch;
        if (this.contextWatch?.isLost()) this.interrupt({ kind: 'gpu-lost', epoch });
        else if (!Number.isFinite(loss)) this.interrupt({ kind: 'not-finite', epoch, batch, loss });
      },
      onEpochEnd: (metrics) => this.emit({ kind: 'epoch', metrics }),
      onPauseStateChange: (state) => this.emit({ kind: 'pause-state', state }),
      onEpochCommitted: async (progress) => {
        if (checkpoint) await this.writeCheckpoint(trained, request, checkpoint, progress);
        // A loss found while writing belongs to the epoch just finished; after, to the next.
        if (!this.interruption) this.currentEpoch = progress.epochsCompleted;
      },
    };
  }

  private async applyBackend(request: BackendRequest): Promise<BackendInfo> {
    const info = await this.chooseBackend(request, this.path);
    this.appliedBackend = { key: JSON.stringify(request), name: info.name };
    return info;
  }

  /**
   * The backend for evaluate/predict. During a run the run's backend stays (switching would
   * pull the training model's tensors across backends mid-step); otherwise the request is
   * applied unless it is the one in force (a drawing canvas predicts many times a second).
   */
  private async ensureBackend(request: BackendRequest): Promise<void> {
    if (this.isRunning) return;
    const isInForce =
      this.appliedBackend?.key === JSON.stringify(request) &&
      this.appliedBackend.name === tf.getBackend();
    if (!isInForce) await this.applyBackend(request);
  }

  /**
   * Writes the checkpoint of an epoch boundary. A failure (quota, storage off) is reported and
   * training goes on: the previous checkpoint is still complete, so resuming loses one epoch.
   */
  private async writeCheckpoint(
    trained: tf.LayersModel,
    request: StartRequest,
    target: CheckpointTarget,
    progress: EpochCommit,
  ): Promise<void> {
    const { epochsCompleted } = progress;
    try {
      // Weights computed on a lost context are garbage: the previous checkpoint must stay.
      // The epoch a loss belongs to; the run's starting point (0 epochs) precedes epoch index 0.
      const epoch = Math.max(0, epochsCompleted - 1);
      if (this.contextWatch?.isLost()) this.interrupt({ kind: 'gpu-lost', epoch });
      if (this.interruption) return;
      if (!this.options.createCheckpointStore) throw new Error('No checkpoint storage here.');
      this.checkpointWriter ??= this.options.createCheckpointStore();
      const [serialized, optimizerState] = [
        await serializeModel(trained),
        await captureOptimizerState(trained.optimizer),
      ];
      if (this.contextWatch?.isLost()) {
        this.interrupt({ kind: 'gpu-lost', epoch });
        return;
      }
      await this.checkpointWriter.writeCheckpoint({
        runId: target.runId,
        epoch: epochsCompleted,
        params: request.params,
        history: progress.history,
        model: serialized,
        optimizerState,
        elapsedMs: progress.elapsedMs,
        shuffleSeed: progress.shuffleSeed,
        datasetKey: target.datasetKey,
        ...(progress.best ? { best: progress.best } : {}),
      });
      this.checkpointEpoch = epochsCompleted;
      this.emit({ kind: 'checkpoint', epochsCompleted });
    } catch (error) {
      this.emit({ kind: 'checkpoint-error', epochsCompleted, message: errorMessage(error) });
    }
  }
}
