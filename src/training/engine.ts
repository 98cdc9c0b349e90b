/**
 * The code the worker runs, and the main-thread fallback runs unchanged: backend → model →
 * train → evaluate the test split → done with the weights. It speaks only the protocol of
 * training-shared.ts through `emit`, so the client cannot tell where it runs.
 */
import * as tf from '@tensorflow/tfjs';
import { createModel } from '../model/architectures';
import { initBackend } from './backend';
import { evaluateModel } from './evaluate';
import { TrainingController, trainModel, type TrainLoopOptions } from './train-loop';
import type { SerializedModel, StartRequest, WorkerToMainMessage } from './training-shared';
import type { BackendInfo, EpochMetrics, TrainingParams } from './training-protocol';

/** Sends one message; `transfer` lists ArrayBuffers to move rather than copy. */
export type EmitMessage = (message: WorkerToMainMessage, transfer?: Transferable[]) => void;

export interface TrainingEngineOptions extends TrainLoopOptions {
  /** Builds the model; default createModel(params.architectureId, { seed }). For tests. */
  buildModel?: (params: TrainingParams) => tf.LayersModel;
  /** Default backend.ts's initBackend. */
  initBackend?: typeof initBackend;
}

export interface TrainingEngine {
  /** Runs one training run to its end; never rejects (failures become error + done). */
  run(request: StartRequest): Promise<void>;
  pause(): void;
  resume(): void;
  stop(): void;
  /** The model of the latest run, kept alive for saving and prediction; null before one. */
  getModel(): tf.LayersModel | null;
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
  const buildModel =
    options.buildModel ??
    ((params: TrainingParams) => createModel(params.architectureId, { seed: params.seed }));
  const chooseBackend = options.initBackend ?? initBackend;

  async function run(request: StartRequest): Promise<void> {
    controller = new TrainingController();
    const runController = controller;
    let history: EpochMetrics[] = [];
    let elapsedMs = 0;
    try {
      // Every run re-applies the request: the user may have picked another backend.
      emit({ kind: 'backend', info: await chooseBackend(request.backendRequest, path) });
      model?.dispose();
      model = null;
      model = buildModel(request.params);
      const outcome = await trainModel(
        model,
        { train: request.train },
        request.params,
        {
          onBatchEnd: (metrics) => emit({ kind: 'batch', metrics }),
          onEpochEnd: (metrics) => emit({ kind: 'epoch', metrics }),
          onStateChange: (state) => emit({ kind: 'state', state }),
        },
        runController,
        options,
      );
      history = outcome.history;
      elapsedMs = outcome.elapsedMs;
      const result = await evaluateModel(model, request.test, {
        yieldToEventLoop: options.yieldToEventLoop,
      });
      emit({ kind: 'evaluation', result });
      const serialized = await serializeModel(model);
      emit({ kind: 'done', end: outcome.end, history, elapsedMs, model: serialized }, [
        serialized.weightData,
      ]);
    } catch (error) {
      emit({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
      emit({ kind: 'done', end: 'failed', history, elapsedMs });
    }
  }

  return {
    run,
    pause: () => controller.pause(),
    resume: () => controller.resume(),
    stop: () => controller.stop(),
    getModel: () => model,
    dispose: () => {
      controller.stop();
      model?.dispose();
      model = null;
    },
  };
}
