/**
 * Starting runs and resuming the unfinished one. Every run writes a checkpoint per epoch when
 * browser storage works, keyed to the data it trains on; only one unfinished run is kept, and a
 * completed run's checkpoints are removed.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { LoadedSplit } from '../../data/ingest-types';
import { errorMessage } from '../../shared/errors';
import type { RunEnd, SerializedModel } from '../../training/run-types';
import type { TrainingParams } from '../../training/training-params';
import { rememberCheckpoint, useResumableRun, type ResumableRuns } from './use-resumable-run';
import { useTrainingLock, type TrainingLock } from './use-training-lock';
import type { RunRecord } from '../../storage/run-store';
import type { RunObserver, TrainedSummary, TrainingRunOptions } from './training-run-options';
import type { TrainingController } from './use-training';

export interface RunLauncher {
  /**
   * Trains on the loaded data: a fresh model, or further from `initialModel`'s weights.
   * Resolves false when nothing started (no data, a run being prepared, another tab training).
   */
  startRun: (
    params: TrainingParams,
    initialModel?: SerializedModel,
    observer?: RunObserver,
  ) => Promise<boolean>;
  /** Continues the unfinished run from its checkpoint; resolves false when nothing started. */
  resumeRun: (observer?: RunObserver) => Promise<boolean>;
  resumable: ResumableRuns;
  /** Whether the loaded data is what the unfinished run trained on. */
  hasResumableData: boolean;
  /** The dataset key of the loaded train + test splits; null until both are in and hashed. */
  loadedDatasetKey: string | null;
  /** Why the unfinished run could not be resumed, if it could not. */
  resumeError: string | null;
  /** Another tab of the app is training: this one waits (one tab trains at a time). */
  isTrainingElsewhere: boolean;
}

type Splits = { train?: LoadedSplit; test?: LoadedSplit };

const datasetKeyLazily = (train: LoadedSplit, test: LoadedSplit) =>
  import('../../storage/dataset-store').then((m) => m.datasetKey(train, test));

/** The dataset key of the loaded train + test splits; null until both are loaded and hashed. */
function useLoadedDatasetKey({ train, test }: Splits): string | null {
  const [key, setKey] = useState<string | null>(null);
  useEffect(() => {
    if (!train || !test) return;
    let isCurrent = true;
    void datasetKeyLazily(train, test).then((computed) => {
      if (isCurrent) setKey(computed);
    });
    return () => {
      isCurrent = false;
      setKey(null);
    };
  }, [train, test]);
  return key;
}

/** What starting a run needs from the launcher. */
interface RunStarter {
  training: TrainingController;
  resumable: ResumableRuns;
  lock: TrainingLock;
  onTrained: (model: SerializedModel, summary: TrainedSummary) => void;
  onRunEnded: (runId: string) => (end: RunEnd) => void;
  /** Adds a finished run to the runs table; returns the id it got there. */
  recordRun: (run: RunRecord) => number;
}

/** The run options that report a run's end: to the launcher, the runs table and `observer`. */
function reportingOptions(
  recordRun: (run: RunRecord) => number,
  observer: RunObserver | undefined,
  onEnded: (end: RunEnd) => void,
): Pick<TrainingRunOptions, 'onRunRecord' | 'onEnded'> {
  return {
    onRunRecord: (run) => {
      const tagged = observer?.experimentId ? { ...run, experimentId: observer.experimentId } : run;
      const id = recordRun(tagged);
      observer?.onFinished?.(run.end, { ...tagged, id });
    },
    onEnded: (end) => {
      onEnded(end);
      // A completed or stopped run reports through its record, which comes next.
      if (end === 'failed') observer?.onFinished?.('failed', undefined);
    },
  };
}

/**
 * Starts a fresh run holding the training lock: with browser storage, under a new run id whose
 * checkpoints replace the previous unfinished run's.
 */
function useStartRun(
  { train, test }: Splits,
  { training, resumable, lock, onTrained, onRunEnded, recordRun }: RunStarter,
  onStart: () => void,
): RunLauncher['startRun'] {
  /** Set while a run's checkpoint bookkeeping runs, so a second click starts nothing. */
  const isPreparingRef = useRef(false);
  return useCallback(
    (params: TrainingParams, initialModel?: SerializedModel, observer?: RunObserver) => {
      if (!train || !test || isPreparingRef.current) return Promise.resolve(false);
      onStart();
      const data = { train, test };
      isPreparingRef.current = true;
      const started = lock.withLock((release) => {
        if (!resumable.isAvailable) {
          isPreparingRef.current = false;
          training.start(params, data, {
            initialModel,
            onTrained,
            ...reportingOptions(recordRun, observer, release),
          });
          return;
        }
        const runId = observer?.runId ?? crypto.randomUUID();
        void (async () => {
          let key: string;
          try {
            key = await datasetKeyLazily(train, test);
            // One unfinished run is kept at a time: a new run replaces the previous one's.
            await resumable.discardAll().catch(() => undefined);
          } catch {
            release();
            observer?.onFinished?.('failed', undefined);
            return;
          } finally {
            isPreparingRef.current = false;
          }
          training.start(params, data, {
            initialModel,
            onTrained,
            checkpoint: { runId, datasetKey: key },
            onCheckpoint: rememberCheckpoint(runId, params.epochs),
            ...reportingOptions(recordRun, observer, (end) => {
              release();
              onRunEnded(runId)(end);
            }),
          });
        })();
      });
      void started.then((isStarted) => {
        if (!isStarted) isPreparingRef.current = false;
      });
      return started;
    },
    [train, test, resumable, training, onTrained, onRunEnded, lock, onStart, recordRun],
  );
}

export function useRunLauncher(
  training: TrainingController,
  splits: Splits,
  onTrained: (model: SerializedModel, summary: TrainedSummary) => void,
  recordRun: (run: RunRecord) => number,
): RunLauncher {
  const { train, test } = splits;
  const resumable = useResumableRun();
  const loadedDatasetKey = useLoadedDatasetKey(splits);
  const [resumeError, setResumeError] = useState<string | null>(null);
  const lock = useTrainingLock();

  /** A completed run's checkpoints go; a stopped or failed one stays resumable. */
  const onRunEnded = useCallback(
    (runId: string) => (end: RunEnd) => {
      if (end === 'completed') void resumable.discard(runId).catch(resumable.refresh);
      else resumable.refresh();
    },
    [resumable],
  );

  const startRun = useStartRun(
    splits,
    { training, resumable, lock, onTrained, onRunEnded, recordRun },
    () => setResumeError(null),
  );

  const resumeRun = useCallback(
    (observer?: RunObserver) => {
      const run = resumable.resumable;
      if (!run || !train || !test) return Promise.resolve(false);
      setResumeError(null);
      return lock.withLock((release) =>
        resumable.read(run.runId).then(
          (checkpoint) =>
            training.start(
              checkpoint.params,
              { train, test },
              {
                resume: checkpoint,
                onTrained,
                checkpoint: { runId: checkpoint.runId, datasetKey: checkpoint.datasetKey },
                onCheckpoint: rememberCheckpoint(checkpoint.runId, checkpoint.params.epochs),
                ...reportingOptions(recordRun, observer, (end) => {
                  release();
                  onRunEnded(checkpoint.runId)(end);
                }),
              },
            ),
          (error: unknown) => {
            release();
            setResumeError(`The run could not be resumed: ${errorMessage(error)}`);
            observer?.onFinished?.('failed', undefined);
          },
        ),
      );
    },
    [resumable, train, test, training, onTrained, onRunEnded, lock, recordRun],
  );

  return {
    startRun,
    resumeRun,
    resumable,
    hasResumableData:
      resumable.resumable !== null && loadedDatasetKey === resumable.resumable.datasetKey,
    loadedDatasetKey,
    resumeError,
    isTrainingElsewhere: lock.isHeldElsewhere,
  };
}
