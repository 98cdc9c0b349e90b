/**
 * Connects the training engine to React. The engine reports every batch; those metrics go
 * into a buffer (a ref) and the visible state is refreshed on a throttle, so neither React
 * nor the charts run per batch.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { LoadedSplit } from '../../data/ingest-types';
import { getArchitectureInfo } from '../../model/architecture-catalog';
import { createTrainingSession, type TrainingSession } from '../../training/training-main';
import type { StoredCheckpoint } from '../../storage/checkpoint-store';
import type { CheckpointTarget, SerializedModel } from '../../training/training-shared';
import type {
  BackendRequest,
  BatchMetrics,
  RunEnd,
  TrainingParams,
} from '../../training/training-protocol';
import { createThrottle } from '../hooks/throttle';
import { INITIAL_TRAINING_STATE, trainingReducer, type TrainingState } from './training-state';

/** Charts and the progress bar refresh at most this often while training. */
export const CHART_REDRAW_INTERVAL_MS = 250;

/** What the app needs to describe a freshly trained model. */
export interface TrainedSummary {
  params: TrainingParams;
  epochsCompleted: number;
  trainingAccuracy: number | null;
  validationAccuracy: number | null;
  testAccuracy: number | null;
}

/** Per-batch metrics of the current run, in batch order. */
export interface BatchLog {
  loss: number[];
  accuracy: number[];
}

export interface TrainingController {
  state: TrainingState;
  /** The current run's per-batch metrics; read it when redrawing, not during render. */
  getBatchSeries: () => BatchLog;
  /** Trains a run: fresh, from a given model's weights, or resuming a checkpoint. */
  start: (
    params: TrainingParams,
    data: { train: LoadedSplit; test: LoadedSplit },
    runOptions?: TrainingRunOptions,
  ) => void;
  /** Class probabilities, float32 [n × 10], for uint8 images [n × 784]; cached per modelId. */
  predict: (model: SerializedModel, images: Uint8Array, modelId: string) => Promise<Float32Array>;
  /** Evaluates a model this run did not train (loaded from storage or files). */
  evaluate: (model: SerializedModel, test: LoadedSplit) => void;
  pause: () => void;
  resume: () => void;
  stop: () => void;
}

export interface TrainingRunOptions {
  /** Continue from these weights (fresh optimizer) instead of a fresh model. */
  initialModel?: SerializedModel;
  /** Continue this checkpoint: its weights, optimizer state, history; `params` must be its. */
  resume?: StoredCheckpoint;
  /** Write a checkpoint after every epoch. */
  checkpoint?: CheckpointTarget;
  /** Called once the run has ended, however it ended. */
  onEnded?: (end: RunEnd) => void;
}

export interface TrainingOptions {
  /** Called with the trained model when a run completes or is stopped. */
  onTrained?: (model: SerializedModel, summary: TrainedSummary) => void;
  backendRequest: BackendRequest;
  /** False forces the main-thread path (tests and browsers without module workers). */
  preferWorker: boolean;
}

export function useTraining(options: TrainingOptions): TrainingController {
  const [state, dispatch] = useReducer(trainingReducer, INITIAL_TRAINING_STATE);
  const sessionRef = useRef<TrainingSession | null>(null);
  const batchLog = useRef<BatchLog>({ loss: [], accuracy: [] });
  const optionsRef = useRef(options);
  useEffect(() => {
    optionsRef.current = options;
  }, [options]);

  // The throttle holds the latest batch itself, so nothing reads a ref during render.
  const [batchThrottle] = useState(() => {
    let latest: BatchMetrics | null = null;
    const throttle = createThrottle(() => {
      if (latest) dispatch({ type: 'batch', batch: latest });
    }, CHART_REDRAW_INTERVAL_MS);
    return {
      push(batch: BatchMetrics) {
        latest = batch;
        throttle.request();
      },
      reset() {
        throttle.cancel();
        latest = null;
      },
      flush: () => throttle.flush(),
      cancel: () => throttle.cancel(),
    };
  });

  useEffect(() => {
    return () => {
      batchThrottle.cancel();
      sessionRef.current?.dispose();
      sessionRef.current = null;
    };
  }, [batchThrottle]);

  // One session for the tab: it keeps its worker between runs, evaluations and predictions.
  const getSession = useCallback((): TrainingSession => {
    sessionRef.current ??= createTrainingSession({ preferWorker: optionsRef.current.preferWorker });
    return sessionRef.current;
  }, []);

  const start = useCallback(
    (
      params: TrainingParams,
      data: { train: LoadedSplit; test: LoadedSplit },
      runOptions: TrainingRunOptions = {},
    ) => {
      const { backendRequest } = optionsRef.current;
      const { resume } = runOptions;
      const session = getSession();
      batchLog.current = { loss: [], accuracy: [] };
      batchThrottle.reset();
      dispatch({ type: 'started', params });
      if (resume) dispatch({ type: 'resumed-from-checkpoint', history: resume.history });
      const startedAtMs = performance.now();
      let backendLabel = '';
      const lastResumed = resume?.history.at(-1);
      let lastValAccuracy = lastResumed?.valAccuracy ?? NaN;
      let lastTrainAccuracy = lastResumed?.accuracy ?? NaN;
      let epochsDone = resume?.epoch ?? 0;
      const info = getArchitectureInfo(params.architectureId);

      session
        .start(
          {
            train: { images: data.train.images, labels: data.train.labels },
            test: { images: data.test.images, labels: data.test.labels },
          },
          params,
          backendRequest,
          {
            onBackend: (backend) => {
              backendLabel =
                backend.name + (backend.path === 'main-thread' ? ' (main thread)' : '');
              dispatch({ type: 'backend', backend });
            },
            onBatch: (batch) => {
              batchLog.current.loss.push(batch.loss);
              batchLog.current.accuracy.push(batch.accuracy);
              batchThrottle.push(batch);
            },
            onEpoch: (epoch) => {
              epochsDone = epoch.epoch + 1;
              // After the last epoch the engine evaluates the test set before it reports done.
              if (epochsDone === params.epochs) dispatch({ type: 'evaluating' });
              lastTrainAccuracy = epoch.accuracy;
              lastValAccuracy = epoch.valAccuracy;
              batchThrottle.flush();
              dispatch({ type: 'epoch', epoch });
            },
            onStateChange: (runState) => {
              // The batch the pause came after must be on screen when "Paused" is: the
              // engine sends it first, but the throttle may still hold it back.
              batchThrottle.flush();
              if (runState === 'paused') dispatch({ type: 'paused' });
              else if (runState === 'running') dispatch({ type: 'resumed' });
            },
            onEvaluation: (evaluation) => dispatch({ type: 'evaluated', evaluation }),
            onCheckpoint: (epochsCompleted) =>
              dispatch({ type: 'checkpoint-saved', epochsCompleted }),
            onCheckpointError: (epochsCompleted, message) =>
              dispatch({ type: 'checkpoint-failed', epochsCompleted, message }),
          },
          {
            initialModel: resume ? resume.model : runOptions.initialModel,
            checkpoint: runOptions.checkpoint,
            resumeFrom: resume && {
              epochsCompleted: resume.epoch,
              history: resume.history,
              elapsedMs: resume.elapsedMs,
              shuffleSeed: resume.shuffleSeed,
              optimizerState: resume.optimizerState,
            },
          },
        )
        .then(
          (result) => {
            batchThrottle.flush();
            runOptions.onEnded?.(result.end);
            if (result.end === 'failed') {
              dispatch({ type: 'failed', message: result.errorMessage ?? 'unknown error' });
              return;
            }
            const finite = (x: number) => (Number.isFinite(x) ? x : null);
            if (result.model) {
              optionsRef.current.onTrained?.(result.model, {
                params,
                epochsCompleted: epochsDone,
                trainingAccuracy: finite(lastTrainAccuracy),
                validationAccuracy: finite(lastValAccuracy),
                testAccuracy: result.evaluation ? result.evaluation.accuracy : null,
              });
            }
            dispatch({
              type: 'finished',
              end: result.end,
              run: {
                id: Date.now(),
                architectureLabel: info.label,
                params: info.totalParams,
                trainingParams: params,
                epochsDone,
                trainAccuracy: lastTrainAccuracy,
                valAccuracy: lastValAccuracy,
                testAccuracy: result.evaluation?.accuracy ?? NaN,
                wallTimeMs: performance.now() - startedAtMs,
                backend: backendLabel,
                end: result.end,
              },
            });
          },
          (error: unknown) => {
            batchThrottle.flush();
            runOptions.onEnded?.('failed');
            dispatch({
              type: 'failed',
              message: error instanceof Error ? error.message : String(error),
            });
          },
        );
    },
    [batchThrottle, getSession],
  );

  const evaluate = useCallback(
    (model: SerializedModel, test: LoadedSplit) => {
      dispatch({ type: 'loaded-model-evaluating' });
      getSession()
        .evaluate(
          model,
          { images: test.images, labels: test.labels },
          optionsRef.current.backendRequest,
        )
        .then(
          (evaluation) => {
            dispatch({ type: 'evaluated', evaluation });
            dispatch({ type: 'finished', end: 'completed' });
          },
          (error: unknown) =>
            dispatch({
              type: 'failed',
              message: error instanceof Error ? error.message : String(error),
            }),
        );
    },
    [getSession],
  );

  const predict = useCallback(
    (model: SerializedModel, images: Uint8Array, modelId: string) =>
      getSession().predict(model, images, optionsRef.current.backendRequest, modelId),
    [getSession],
  );

  const getBatchSeries = useCallback((): BatchLog => batchLog.current, []);
  const pause = useCallback(() => sessionRef.current?.pause(), []);
  const resume = useCallback(() => sessionRef.current?.resume(), []);
  const stop = useCallback(() => {
    dispatch({ type: 'stopping' });
    sessionRef.current?.stop();
  }, []);

  return { state, getBatchSeries, start, evaluate, predict, pause, resume, stop };
}
