/**
 * Connects the training engine to React. The engine reports every batch; those metrics go
 * into a buffer (a ref) and the visible state is refreshed on a throttle, so neither React
 * nor the charts run per batch.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { LoadedSplit } from '../../data/ingest-types';
import { errorMessage } from '../../shared/errors';
import type { TrainingSession } from '../../training/training-session-types';
import type { BackendRequest, SerializedModel } from '../../training/run-types';
import type { TrainingParams } from '../../training/training-params';
import { useLatestRef } from '../hooks/use-latest-ref';
import { createBatchThrottle } from './batch-throttle';
import { launchRun } from './launch-run';
import type { BatchLog, TrainingRunOptions } from './training-run-options';
import { INITIAL_TRAINING_STATE, trainingReducer, type TrainingState } from './training-state';

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

export interface TrainingOptions {
  backendRequest: BackendRequest;
  /** Makes the tab's one training session (worker or main-thread engine), on first use. */
  createSession: () => TrainingSession;
}

/**
 * One session for the tab, made on first use: it keeps its worker between runs, evaluations
 * and predictions, and goes with the component. `currentSession()` does not make one.
 */
function useTabSession(createSession: () => TrainingSession) {
  const sessionRef = useRef<TrainingSession | null>(null);
  const createRef = useLatestRef(createSession);
  useEffect(
    () => () => {
      sessionRef.current?.dispose();
      sessionRef.current = null;
    },
    [],
  );
  const getSession = useCallback(() => (sessionRef.current ??= createRef.current()), [createRef]);
  const currentSession = useCallback(() => sessionRef.current, []);
  return { getSession, currentSession };
}

/** The page's training: one run at a time on the tab's session, its state for the panels. */
export function useTraining(options: TrainingOptions): TrainingController {
  const [state, dispatch] = useReducer(trainingReducer, INITIAL_TRAINING_STATE);
  const { getSession, currentSession } = useTabSession(options.createSession);
  const batchLog = useRef<BatchLog>({ loss: [], accuracy: [] });
  const optionsRef = useLatestRef(options);
  const [batchThrottle] = useState(() => createBatchThrottle(dispatch));
  useEffect(() => () => batchThrottle.cancel(), [batchThrottle]);

  const start = useCallback(
    (
      params: TrainingParams,
      data: { train: LoadedSplit; test: LoadedSplit },
      runOptions: TrainingRunOptions = {},
    ) => {
      batchLog.current = { loss: [], accuracy: [] };
      batchThrottle.reset();
      dispatch({ type: 'started', params });
      const { resume } = runOptions;
      if (resume) dispatch({ type: 'resumed-from-checkpoint', history: resume.history });
      launchRun(
        getSession(),
        optionsRef.current.backendRequest,
        { params, data, options: runOptions },
        { batchLog: batchLog.current, throttle: batchThrottle, dispatch },
      );
    },
    [batchThrottle, getSession, optionsRef],
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
    [getSession, optionsRef],
  );

  const predict = useCallback(
    (model: SerializedModel, images: Uint8Array, modelId: string) =>
      getSession().predict(model, images, optionsRef.current.backendRequest, modelId),
    [getSession, optionsRef],
  );

  const getBatchSeries = useCallback((): BatchLog => batchLog.current, []);
  const pause = useCallback(() => currentSession()?.pause(), [currentSession]);
  const unpause = useCallback(() => currentSession()?.unpause(), [currentSession]);
  const stop = useCallback(() => {
    dispatch({ type: 'stopping' });
    currentSession()?.stop();
  }, [currentSession]);

  return { state, getBatchSeries, start, evaluate, predict, pause, unpause, stop };
}
