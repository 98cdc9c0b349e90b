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
import type { BackendInfo, BackendRequest, EpochMetrics } from './run-types';
import { deserializeModel, serializeModel } from './serialized-model';
import { trainModel, type EpochCommit, type TrainLoopOptions } from './train-loop';
import type { TrainingParams } from './training-params';
import type { CheckpointTarget, StartRequest } from './worker-protocol';

export type { EmitMessage } from './model-requests';

/**
 * Evaluation rows per step on the main-thread fallback: each step is a task the page cannot
 * interrupt (256 seed-CNN rows take ~2 s there on WASM; 32 take ~0.25 s).
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
  let control = new RunControl();
  let model: tf.LayersModel | null = null;
  let isRunning = false;
  let checkpointWriter: CheckpointWriter | null = null;
  /** The request last applied with chooseBackend, as JSON, and the backend it gave. */
  let appliedBackend: { key: string; name: string } | null = null;
  const buildModel =
    options.buildModel ??
    ((params: TrainingParams) => createModel(params.architectureId, { seed: params.seed }));
  const chooseBackend = options.initBackend ?? initBackend;
  // Evaluation yields between its batches like training does: on WASM `data()` resolves
  // without returning to the event loop, so without this a test-set evaluation is one task.
  const evaluation = {
    yieldToEventLoop: options.yieldToEventLoop ?? yieldToEventLoop,
    batchSize:
      options.evaluationBatchSize ??
      (path === 'main-thread' ? MAIN_THREAD_EVALUATION_BATCH_SIZE : EVALUATION_BATCH_SIZE),
  };

  async function applyBackend(request: BackendRequest): Promise<BackendInfo> {
    const info = await chooseBackend(request, path);
    appliedBackend = { key: JSON.stringify(request), name: info.name };
    return info;
  }

  const requests = createModelRequests({
    emit,
    evaluation,
    /**
     * During a run the run's backend stays (switching would pull the training model's tensors
     * across backends mid-step); otherwise the request is applied unless it is in force.
     */
    async ensureBackend(request) {
      if (isRunning) return;
      const isInForce =
        appliedBackend?.key === JSON.stringify(request) && appliedBackend.name === tf.getBackend();
      if (!isInForce) await applyBackend(request);
    },
  });

  /**
   * Writes the checkpoint of an epoch boundary. A failure (quota, storage off) is reported and
   * training goes on: the previous checkpoint is still complete, so resuming loses one epoch.
   */
  async function writeCheckpoint(
    trained: tf.LayersModel,
    request: StartRequest,
    target: CheckpointTarget,
    progress: EpochCommit,
  ): Promise<void> {
    const { epochsCompleted } = progress;
    try {
      if (!options.createCheckpointStore) throw new Error('No checkpoint storage here.');
      checkpointWriter ??= options.createCheckpointStore();
      const [serialized, optimizerState] = [
        await serializeModel(trained),
        await captureOptimizerState(trained.optimizer),
      ];
      await checkpointWriter.writeCheckpoint({
        runId: target.runId,
        epoch: epochsCompleted,
        params: request.params,
        history: progress.history,
        model: serialized,
        optimizerState,
        elapsedMs: progress.elapsedMs,
        shuffleSeed: progress.shuffleSeed,
        datasetKey: target.datasetKey,
      });
      emit({ kind: 'checkpoint', epochsCompleted });
    } catch (error) {
      emit({ kind: 'checkpoint-error', epochsCompleted, message: errorMessage(error) });
    }
  }

  async function run(request: StartRequest): Promise<void> {
    control = new RunControl();
    const runControl = control;
    let history: EpochMetrics[] = [];
    let elapsedMs = 0;
    isRunning = true;
    try {
      // Every run re-applies the request: the user may have picked another backend.
      emit({ kind: 'backend', info: await applyBackend(request.backendRequest) });
      model?.dispose();
      model = null;
      model = request.initialModel
        ? await deserializeModel(request.initialModel)
        : buildModel(request.params);
      const trained = model;
      const { checkpoint } = request;
      const outcome = await trainModel(
        trained,
        { train: request.train },
        request.params,
        {
          onBatchEnd: (metrics) => emit({ kind: 'batch', metrics }),
          onEpochEnd: (metrics) => emit({ kind: 'epoch', metrics }),
          onPauseStateChange: (state) => emit({ kind: 'pause-state', state }),
          onEpochCommitted: checkpoint
            ? (progress) => writeCheckpoint(trained, request, checkpoint, progress)
            : undefined,
        },
        runControl,
        { ...options, evaluationBatchSize: evaluation.batchSize, resumeFrom: request.resumeFrom },
      );
      history = outcome.history;
      elapsedMs = outcome.elapsedMs;
      emit({ kind: 'evaluation', result: await evaluateModel(model, request.test, evaluation) });
      const serialized = await serializeModel(model);
      emit({ kind: 'done', end: outcome.end, history, elapsedMs, model: serialized }, [
        serialized.weightData,
      ]);
    } catch (error) {
      emit({ kind: 'error', message: errorMessage(error) });
      emit({ kind: 'done', end: 'failed', history, elapsedMs });
    } finally {
      isRunning = false;
    }
  }

  return {
    run,
    pause: () => control.pause(),
    unpause: () => control.unpause(),
    stop: () => control.stop(),
    getModel: () => model,
    evaluate: requests.evaluate,
    predict: requests.predict,
    answer: requests.answer,
    getCachedModelId: requests.getCachedModelId,
    dispose: () => {
      control.stop();
      model?.dispose();
      model = null;
      requests.dispose();
    },
  };
}
