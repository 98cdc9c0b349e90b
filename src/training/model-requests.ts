/**
 * Evaluation of and prediction with a given model, between or during training runs: the
 * engine's answers to `evaluate` and `predict` requests. Requests run one at a time, and the
 * model of the latest prediction is kept deserialized under its id, because a drawing canvas
 * asks many times a second with the same model.
 */
import type * as tf from '@tensorflow/tfjs';
import { NUM_CLASSES, PIXELS_PER_IMAGE } from '../config/dataset';
import { errorMessage } from '../shared/errors';
import { EVALUATION_BATCH_SIZE, evaluateModel, predictInBatches } from './evaluate';
import type { BackendRequest, EvaluationResult } from './run-types';
import { deserializeModel } from './serialized-model';
import type {
  EngineRequest,
  EvaluateRequest,
  PredictRequest,
  WorkerToMainMessage,
} from './worker-protocol';

/** Sends one message; `transfer` lists ArrayBuffers to move rather than copy. */
export type EmitMessage = (message: WorkerToMainMessage, transfer?: Transferable[]) => void;

export interface ModelRequests {
  evaluate(request: EvaluateRequest): Promise<EvaluationResult>;
  predict(request: PredictRequest): Promise<Float32Array>;
  /** Runs evaluate/predict and emits the answer (or request-error); never rejects. */
  answer(request: EngineRequest): Promise<void>;
  /** The id of the model cached for prediction, or null. */
  getCachedModelId(): string | null;
  /** Frees the cached model. */
  dispose(): void;
}

export interface ModelRequestsOptions {
  /** Makes the requested backend current (or keeps a running training's one). */
  ensureBackend: (request: BackendRequest) => Promise<void>;
  emit: EmitMessage;
  /** Rows per evaluation step and the yield between steps. */
  evaluation: { batchSize: number; yieldToEventLoop: () => Promise<void> };
}

/** The prediction model cache: one entry, kept until a request names another model. */
class PredictionModelCache {
  /** A promise, so concurrent loads of one id share the work. */
  private cached: { modelId: string; model: Promise<tf.LayersModel> } | null = null;

  get modelId(): string | null {
    return this.cached?.modelId ?? null;
  }

  /** The model named by `request.modelId`, deserialized once and kept until another id. */
  get(request: PredictRequest): Promise<tf.LayersModel> {
    const { modelId } = request;
    if (this.cached?.modelId === modelId) return this.cached.model;
    if (!request.model) throw new Error(`Model "${modelId}" is not loaded; send it again`);
    this.drop();
    const loading = deserializeModel(request.model);
    this.cached = { modelId, model: loading };
    // A model that fails to load must not stay cached under its id.
    loading.catch(() => {
      if (this.cached?.model === loading) this.cached = null;
    });
    return loading;
  }

  drop(): void {
    const old = this.cached;
    this.cached = null;
    // A failed load left nothing to dispose.
    void old?.model.then(
      (m) => m.dispose(),
      () => undefined,
    );
  }
}

export function createModelRequests(options: ModelRequestsOptions): ModelRequests {
  const { ensureBackend, emit, evaluation } = options;
  const cache = new PredictionModelCache();
  /** Requests run one at a time, so a cache swap never races a prediction. */
  let queue: Promise<unknown> = Promise.resolve();

  function enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const result = queue.then(operation);
    queue = result.catch(() => undefined);
    return result;
  }

  const evaluate = (request: EvaluateRequest) =>
    enqueue(async () => {
      await ensureBackend(request.backendRequest);
      const given = await deserializeModel(request.model);
      try {
        return await evaluateModel(given, request.test, evaluation);
      } finally {
        given.dispose();
      }
    });

  const predict = (request: PredictRequest) =>
    enqueue(async () => {
      const { images } = request;
      if (images.length % PIXELS_PER_IMAGE !== 0) {
        throw new Error(`Images must be n × ${PIXELS_PER_IMAGE} bytes, got ${images.length} bytes`);
      }
      await ensureBackend(request.backendRequest);
      const model = await cache.get(request);
      const count = images.length / PIXELS_PER_IMAGE;
      const probabilities = new Float32Array(count * NUM_CLASSES);
      const split = { images, labels: new Uint8Array(count) };
      await predictInBatches(
        model,
        split,
        { batchSize: EVALUATION_BATCH_SIZE },
        (start, _, values) =>
          // Copied into our own array: some backends hand out their internal buffer here.
          probabilities.set(values, start * NUM_CLASSES),
      );
      return probabilities;
    });

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
      emit({ kind: 'request-error', requestId, message: errorMessage(error) });
    }
  }

  return {
    evaluate,
    predict,
    answer,
    getCachedModelId: () => cache.modelId,
    dispose: () => cache.drop(),
  };
}
