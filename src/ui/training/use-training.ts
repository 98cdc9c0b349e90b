/**
 * Connects the training engine to React. The engine reports every batch; those metrics go
 * into a buffer (a ref) and the visible state is refreshed on a throttle, so neither React
 * nor the charts run per batch.
 */
import { useCallback, useEffect, useReducer, useRef, useState, type Dispatch } from 'react';
import type { LoadedSplit } from '../../data/ingest-types';
import { getArchitectureInfo } from '../../model/architecture-catalog';
import { errorMessage } from '../../shared/errors';
import type { StoredCheckpoint } from '../../storage/checkpoint-store';
import type {
  TrainingRunResult,
  TrainingSession,
  TrainingSessionHooks,
} from '../../training/training-client';
import type {
  BackendRequest,
  BatchMetrics,
  RunEnd,
  SerializedModel,
} from '../../training/run-types';
import type { TrainingParams } from '../../training/training-params';
import type { CheckpointTarget } from '../../training/worker-protocol';
import { createThrottle } from '../hooks/throttle';
import {
  INITIAL_TRAINING_STATE,
  trainingReducer,
  type RunRecord,
  type TrainingAction,
  type TrainingState,
} from './training-state';

/** Charts and the progress bar refresh at most this often while training. */
export const CHART_REDRAW_INTERVAL_MS = 250;

/** What the app needs to describe a freshly trained model. */
export interface TrainedSummary {
  params: TrainingParams;
  epochsCompleted: number;
  trainingAccuracy: number | null;
  validationAccuracy: number | null;
  testAccuracy: number | null;
  /** The TensorFlow.js version of the engine that trained it. */
  tfjsVersion?: string;
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
  unpause: () => void;
  stop: () => void;
}

export interface TrainingRunOptions {
  /** Train further from these weights (fresh optimizer) instead of a fresh model. */
  initialModel?: SerializedModel;
  /** Continue this checkpoint: its weights, optimizer state, history; `params` must be its. */
  resume?: StoredCheckpoint;
  /** Write a checkpoint after every epoch. */
  checkpoint?: CheckpointTarget;
  /** Called with the trained model when the run completes or is stopped. */
  onTrained?: (model: SerializedModel, summary: TrainedSummary) => void;
  /** Called once the run has ended, however it ended. */
  onEnded?: (end: RunEnd) => void;
}

export interface TrainingOptions {
  backendRequest: BackendRequest;
  /** Makes the tab's one training session (worker or main-thread engine), on first use. */
  createSession: () => TrainingSession;
}

/** A throttle that holds the latest batch and dispatches it at most every interval. */
function createBatchThrottle(dispatch: Dispatch<TrainingAction>) {
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
}

type BatchThrottle = ReturnType<typeof createBatchThrottle>;

/** What a run remembers between its messages, to describe its end. */
interface RunProgress {
  epochsDone: number;
  lastTrainAccuracy: number;
  lastValAccuracy: number;
  backendLabel: string;
  tfjsVersion?: string;
}

/** The session hooks of one run: batches to the buffer and throttle, the rest to state. */
function runHooks(
  params: TrainingParams,
  progress: RunProgress,
  batchLog: BatchLog,
  throttle: BatchThrottle,
  dispatch: Dispatch<TrainingAction>,
): TrainingSessionHooks {
  return {
    onBackend: (backend) => {
      progress.backendLabel =
        backend.name + (backend.path === 'main-thread' ? ' (main thread)' : '');
      progress.tfjsVersion = backend.tfjsVersion;
      dispatch({ type: 'backend', backend });
    },
    onBatch: (batch) => {
      batchLog.loss.push(batch.loss);
      batchLog.accuracy.push(batch.accuracy);
      throttle.push(batch);
    },
    onEpoch: (epoch) => {
      progress.epochsDone = epoch.epoch + 1;
      // After the last epoch the engine evaluates the test set before it reports done.
      if (progress.epochsDone === params.epochs) dispatch({ type: 'evaluating' });
      progress.lastTrainAccuracy = epoch.accuracy;
      progress.lastValAccuracy = epoch.valAccuracy;
      throttle.flush();
      dispatch({ type: 'epoch', epoch });
    },
    onPauseStateChange: (pauseState) => {
      // The batch the pause came after must be on screen when "Paused" is: the engine sends
      // it first, but the throttle may still hold it back.
      throttle.flush();
      dispatch({ type: pauseState === 'paused' ? 'paused' : 'unpaused' });
    },
    onEvaluation: (evaluation) => dispatch({ type: 'evaluated', evaluation }),
    onCheckpoint: (epochsCompleted) => dispatch({ type: 'checkpoint-saved', epochsCompleted }),
    onCheckpointError: (epochsCompleted, message) =>
      dispatch({ type: 'checkpoint-failed', epochsCompleted, message }),
  };
}

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

/** The runs-table row and the trained model's summary, once a run has ended. */
function finishRun(
  result: TrainingRunResult,
  params: TrainingParams,
  progress: RunProgress,
  startedAtMs: number,
  runOptions: TrainingRunOptions,
  dispatch: Dispatch<TrainingAction>,
): void {
  runOptions.onEnded?.(result.end);
  if (result.end === 'failed') {
    dispatch({ type: 'failed', message: result.errorMessage ?? 'unknown error' });
    return;
  }
  if (result.model) {
    runOptions.onTrained?.(result.model, {
      params,
      epochsCompleted: progress.epochsDone,
      trainingAccuracy: finiteOrNull(progress.lastTrainAccuracy),
      validationAccuracy: finiteOrNull(progress.lastValAccuracy),
      testAccuracy: result.evaluation ? result.evaluation.accuracy : null,
      tfjsVersion: progress.tfjsVersion,
    });
  }
  const info = getArchitectureInfo(params.architectureId);
  const run: RunRecord = {
    id: Date.now(),
    architectureLabel: info.label,
    parameterCount: info.totalParams,
    trainingParams: params,
    epochsDone: progress.epochsDone,
    trainAccuracy: progress.lastTrainAccuracy,
    valAccuracy: progress.lastValAccuracy,
    testAccuracy: result.evaluation?.accuracy ?? NaN,
    wallTimeMs: performance.now() - startedAtMs,
    backend: progress.backendLabel,
    end: result.end,
  };
  dispatch({ type: 'finished', end: result.end, run });
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
  const [batchThrottle] = useState(() => createBatchThrottle(dispatch));

  useEffect(() => {
    return () => {
      batchThrottle.cancel();
      sessionRef.current?.dispose();
      sessionRef.current = null;
    };
  }, [batchThrottle]);

  // One session for the tab: it keeps its worker between runs, evaluations and predictions.
  const getSession = useCallback((): TrainingSession => {
    sessionRef.current ??= optionsRef.current.createSession();
    return sessionRef.current;
  }, []);

  const start = useCallback(
    (
      params: TrainingParams,
      data: { train: LoadedSplit; test: LoadedSplit },
      runOptions: TrainingRunOptions = {},
    ) => {
      const { resume } = runOptions;
      batchLog.current = { loss: [], accuracy: [] };
      batchThrottle.reset();
      dispatch({ type: 'started', params });
      if (resume) dispatch({ type: 'resumed-from-checkpoint', history: resume.history });
      const startedAtMs = performance.now();
      const lastResumed = resume?.history.at(-1);
      const progress: RunProgress = {
        epochsDone: resume?.epoch ?? 0,
        lastTrainAccuracy: lastResumed?.accuracy ?? NaN,
        lastValAccuracy: lastResumed?.valAccuracy ?? NaN,
        backendLabel: '',
      };
      getSession()
        .start(
          {
            train: { images: data.train.images, labels: data.train.labels },
            test: { images: data.test.images, labels: data.test.labels },
          },
          params,
          optionsRef.current.backendRequest,
          runHooks(params, progress, batchLog.current, batchThrottle, dispatch),
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
            finishRun(result, params, progress, startedAtMs, runOptions, dispatch);
          },
          (error: unknown) => {
            batchThrottle.flush();
            runOptions.onEnded?.('failed');
            dispatch({ type: 'failed', message: errorMessage(error) });
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
          (error: unknown) => dispatch({ type: 'failed', message: errorMessage(error) }),
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
  const unpause = useCallback(() => sessionRef.current?.unpause(), []);
  const stop = useCallback(() => {
    dispatch({ type: 'stopping' });
    sessionRef.current?.stop();
  }, []);

  return { state, getBatchSeries, start, evaluate, predict, pause, unpause, stop };
}
