/**
 * The code the worker runs, and the main-thread fallback runs unchanged: backend → model (fresh
 * or the given one) → train → evaluate the test split → done with the weights; and, between or
 * during runs, evaluation of and prediction with a given model. It speaks only the protocol of
 * training-shared.ts through `emit`, so the client cannot tell where it runs.
 */
import * as tf from '@tensorflow/tfjs';
import { createModel } from '../model/architectures';
import { createCheckpointStore, type CheckpointStore } from '../storage/checkpoint-store';
import { captureOptimizerState } from '../storage/optimizer-state';
import { initBackend } from './backend';
import { NUM_CLASSES, PIXELS_PER_IMAGE } from '../config/dataset';
import { BatchGatherer } from './batches';
import { EVALUATION_BATCH_SIZE, evaluateModel } from './evaluate';
import {
  TrainingController,
  trainModel,
  yieldToEventLoop,
  type EpochCommit,
  type TrainLoopOptions,
} from './train-loop';
import type {
  EngineRequest,
  EvaluateRequest,
  PredictRequest,
  SerializedModel,
  StartRequest,
  WorkerToMainMessage,
} from './training-shared';
import type {
  BackendInfo,
  BackendRequest,
  EpochMetrics,
  EvaluationResult,
  TrainingParams,
} from './training-protocol';

/**
 * Evaluation rows per step on the main-thread fallback: each step is a task the page cannot
 * interrupt (256 seed-CNN rows take ~2 s there on WASM; 32 take ~0.25 s).
 */
export const MAIN_THREAD_EVALUATION_BATCH_SIZE = 32;

/** Sends one message; `transfer` lists ArrayBuffers to move rather than copy. */
export type EmitMessage = (message: WorkerToMainMessage, transfer?: Transferable[]) => void;

export interface TrainingEngineOptions extends TrainLoopOptions {
  /** Builds the model; default createModel(params.architectureId, { seed }). For tests. */
  buildModel?: (params: TrainingParams) => tf.LayersModel;
  /** Default backend.ts's initBackend. */
  initBackend?: typeof initBackend;
  /** Where checkpoints go; default createCheckpointStore() (IndexedDB of this scope). */
  createCheckpointStore?: () => CheckpointStore;
}

export interface TrainingEngine {
  /** Runs one training run to its end; never rejects (failures become error + done). */
  run(request: StartRequest): Promise<void>;
  pause(): void;
  resume(): void;
  stop(): void;
  /** The model of the latest run, kept alive for saving and prediction; null before one. */
  getModel(): tf.LayersModel | null;
  /** Test-set evaluation of a given model (deserialized for the call, then disposed). */
  evaluate(request: EvaluateRequest): Promise<EvaluationResult>;
  /**
   * Probabilities, float32 [n × 10], of a given model on uint8 [n × 784] images. The model is
   * cached under request.modelId until another id arrives or dispose().
   */
  predict(request: PredictRequest): Promise<Float32Array>;
  /** Runs evaluate/predict and emits the answer (or request-error); never rejects. */
  answer(request: EngineRequest): Promise<void>;
  /** The id of the model cached for prediction, or null. */
  getCachedModelId(): string | null;
  dispose(): void;
}

/** The model's topology and weights as one cloneable object (weights in one ArrayBuffer). */
export async function serializeModel(model: tf.LayersModel): Promise<SerializedModel> {
  let captured: SerializedModel | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const weightData =
        data === undefined
          ? new ArrayBuffer(0)
          : Array.isArray(data)
            ? tf.io.concatenateArrayBuffers(data)
            : data;
      captured = {
        modelTopology: (artifacts.modelTopology ?? {}) as object,
        weightSpecs: artifacts.weightSpecs ?? [],
        weightData,
      };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (!captured) throw new Error('Model save handler was not called');
  return captured;
}

/** Rebuilds a model from serializeModel's output (e.g. on the main thread after a worker run). */
export function deserializeModel(serialized: SerializedModel): Promise<tf.LayersModel> {
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: serialized.modelTopology,
      weightSpecs: serialized.weightSpecs,
      weightData: serialized.weightData,
    }),
  );
}

export function createTrainingEngine(
  path: BackendInfo['path'],
  emit: EmitMessage,
  options: TrainingEngineOptions = {},
): TrainingEngine {
  let controller = new TrainingController();
  let model: tf.LayersModel | null = null;
  let isRunning = false;
  /** The request last applied with chooseBackend, as JSON, and the backend it gave. */
  let appliedBackend: { key: string; name: string } | null = null;
  /** One-entry prediction cache; a promise so concurrent loads of one id share the work. */
  let cached: { modelId: string; model: Promise<tf.LayersModel> } | null = null;
  /** evaluate/predict run one at a time, so a cache swap never races a prediction. */
  let requestQueue: Promise<unknown> = Promise.resolve();
  const buildModel =
    options.buildModel ??
    ((params: TrainingParams) => createModel(params.architectureId, { seed: params.seed }));
  const chooseBackend = options.initBackend ?? initBackend;
  // Evaluation yields between its batches like training does: on WASM `data()` resolves
  // without returning to the event loop, so without this a test-set evaluation is one task.
  const evaluationOptions = {
    yieldToEventLoop: options.yieldToEventLoop ?? yieldToEventLoop,
    batchSize:
      options.evaluationBatchSize ??
      (path === 'main-thread' ? MAIN_THREAD_EVALUATION_BATCH_SIZE : EVALUATION_BATCH_SIZE),
  };
  let checkpointStore: CheckpointStore | null = null;

  async function applyBackend(request: BackendRequest): Promise<BackendInfo> {
    const info = await chooseBackend(request, path);
    appliedBackend = { key: JSON.stringify(request), name: info.name };
    return info;
  }

  /**
   * Backend for evaluate/predict. During a run the run's backend stays (switching would pull
   * the training model's tensors across backends mid-step); otherwise the request is applied
   * unless it is the one already in force, since a drawing canvas predicts many times a second.
   */
  async function ensureBackend(request: BackendRequest): Promise<void> {
    if (isRunning) return;
    const isInForce =
      appliedBackend?.key === JSON.stringify(request) && appliedBackend.name === tf.getBackend();
    if (!isInForce) await applyBackend(request);
  }

  function enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const result = requestQueue.then(operation);
    requestQueue = result.catch(() => undefined);
    return result;
  }

  function dropCachedModel(): void {
    const old = cached;
    cached = null;
    // A failed load left nothing to dispose.
    void old?.model.then(
      (m) => m.dispose(),
      () => undefined,
    );
  }

  function evaluate(request: EvaluateRequest): Promise<EvaluationResult> {
    return enqueue(async () => {
      await ensureBackend(request.backendRequest);
      const given = await deserializeModel(request.model);
      try {
        return await evaluateModel(given, request.test, evaluationOptions);
      } finally {
        given.dispose();
      }
    });
  }

  function predict(request: PredictRequest): Promise<Float32Array> {
    return enqueue(async () => {
      const { images, modelId } = request;
      if (images.length % PIXELS_PER_IMAGE !== 0) {
        throw new Error(`Images must be n × ${PIXELS_PER_IMAGE} bytes, got ${images.length} bytes`);
      }
      await ensureBackend(request.backendRequest);
      let entry = cached;
      if (entry?.modelId !== modelId) {
        if (!request.model) throw new Error(`Model "${modelId}" is not loaded; send it again`);
        dropCachedModel();
        const loading = deserializeModel(request.model);
        entry = { modelId, model: loading };
        cached = entry;
        // A model that fails to load must not stay cached under its id.
        loading.catch(() => {
          if (cached?.model === loading) cached = null;
        });
      }
      const given = await entry.model;
      const count = images.length / PIXELS_PER_IMAGE;
      const probabilities = new Float32Array(count * NUM_CLASSES);
      const batchSize = Math.max(1, Math.min(EVALUATION_BATCH_SIZE, count));
      const gatherer = new BatchGatherer({ images, labels: new Uint8Array(count) }, batchSize);
      for (let start = 0; start < count; start += batchSize) {
        const rows = Math.min(batchSize, count - start);
        const output = tf.tidy(() => {
          const { xs, ys } = gatherer.gatherRange(start, rows);
          ys.dispose();
          return given.predict(xs) as tf.Tensor2D;
        });
        // Copied into our own array: some backends hand out their internal buffer here.
        probabilities.set(await output.data(), start * NUM_CLASSES);
        output.dispose();
      }
      return probabilities;
    });
  }

  async function answer(request: EngineRequest): Promise<void> {
    const { requestId } = request;
    try {
      if (request.kind === 'evaluate') {
        emit({ kind: 'evaluation-result', requestId, result: await evaluate(request) });
      } else {
        const probabilities = await predict(request);
        emit({ kind: 'prediction', requestId, probabilities }, [probabilities.buffer]);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      emit({ kind: 'request-error', requestId, message });
    }
  }

  /**
   * Writes the checkpoint of an epoch boundary. A failure (quota, storage off) is reported and
   * training goes on: the previous checkpoint is still complete, so resuming loses one epoch.
   */
  async function writeCheckpoint(
    trained: tf.LayersModel,
    request: StartRequest,
    target: NonNullable<StartRequest['checkpoint']>,
    progress: EpochCommit,
  ): Promise<void> {
    const { epochsCompleted } = progress;
    try {
      checkpointStore ??= (options.createCheckpointStore ?? createCheckpointStore)();
      const [serialized, optimizerState] = [
        await serializeModel(trained),
        await captureOptimizerState(trained.optimizer),
      ];
      await checkpointStore.writeCheckpoint({
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
      const message = error instanceof Error ? error.message : String(error);
      emit({ kind: 'checkpoint-error', epochsCompleted, message });
    }
  }

  async function run(request: StartRequest): Promise<void> {
    controller = new TrainingController();
    const runController = controller;
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
          onStateChange: (state) => emit({ kind: 'state', state }),
          onEpochCommitted: checkpoint
            ? (progress) => writeCheckpoint(trained, request, checkpoint, progress)
            : undefined,
        },
        runController,
        {
          ...options,
          evaluationBatchSize: evaluationOptions.batchSize,
          resumeFrom: request.resumeFrom,
        },
      );
      history = outcome.history;
      elapsedMs = outcome.elapsedMs;
      const result = await evaluateModel(model, request.test, evaluationOptions);
      emit({ kind: 'evaluation', result });
      const serialized = await serializeModel(model);
      emit({ kind: 'done', end: outcome.end, history, elapsedMs, model: serialized }, [
        serialized.weightData,
      ]);
    } catch (error) {
      emit({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
      emit({ kind: 'done', end: 'failed', history, elapsedMs });
    } finally {
      isRunning = false;
    }
  }

  return {
    run,
    pause: () => controller.pause(),
    resume: () => controller.resume(),
    stop: () => controller.stop(),
    getModel: () => model,
    evaluate,
    predict,
    answer,
    getCachedModelId: () => cached?.modelId ?? null,
    dispose: () => {
      controller.stop();
      model?.dispose();
      model = null;
      dropCachedModel();
    },
  };
}
