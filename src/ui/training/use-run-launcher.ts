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
import { useResumableRun, type ResumableRuns } from './use-resumable-run';
import type { TrainedSummary } from './training-run-options';
import type { TrainingController } from './use-training';

export interface RunLauncher {
  /** Trains on the loaded data: a fresh model, or further from `initialModel`'s weights. */
  startRun: (params: TrainingParams, initialModel?: SerializedModel) => void;
  /** Continues the unfinished run from its checkpoint. */
  resumeRun: () => void;
  resumable: ResumableRuns;
  /** Whether the loaded data is what the unfinished run trained on. */
  hasResumableData: boolean;
  /** Why the unfinished run could not be resumed, if it could not. */
  resumeError: string | null;
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

export function useRunLauncher(
  training: TrainingController,
  splits: Splits,
  onTrained: (model: SerializedModel, summary: TrainedSummary) => void,
): RunLauncher {
  const { train, test } = splits;
  const resumable = useResumableRun();
  const loadedDatasetKey = useLoadedDatasetKey(splits);
  const [resumeError, setResumeError] = useState<string | null>(null);
  /** Set while a run's checkpoint bookkeeping runs, so a second click starts nothing. */
  const isPreparingRef = useRef(false);

  /** A completed run's checkpoints go; a stopped or failed one stays resumable. */
  const onRunEnded = useCallback(
    (runId: string) => (end: RunEnd) => {
      if (end === 'completed') void resumable.discard(runId).catch(resumable.refresh);
      else resumable.refresh();
    },
    [resumable],
  );

  const startRun = useCallback(
    (params: TrainingParams, initialModel?: SerializedModel) => {
      if (!train || !test) return;
      setResumeError(null);
      const data = { train, test };
      if (!resumable.isAvailable) {
        training.start(params, data, { initialModel, onTrained });
        return;
      }
      if (isPreparingRef.current) return;
      isPreparingRef.current = true;
      const runId = crypto.randomUUID();
      void (async () => {
        let key: string;
        try {
          key = await datasetKeyLazily(train, test);
          // One unfinished run is kept at a time: a new run replaces the previous one's.
          await resumable.discardAll().catch(() => undefined);
        } finally {
          isPreparingRef.current = false;
        }
        training.start(params, data, {
          initialModel,
          onTrained,
          checkpoint: { runId, datasetKey: key },
          onEnded: onRunEnded(runId),
        });
      })();
    },
    [train, test, resumable, training, onTrained, onRunEnded],
  );

  const resumeRun = useCallback(() => {
    const run = resumable.resumable;
    if (!run || !train || !test) return;
    setResumeError(null);
    void resumable.read(run.runId).then(
      (checkpoint) =>
        training.start(
          checkpoint.params,
          { train, test },
          {
            resume: checkpoint,
            onTrained,
            checkpoint: { runId: checkpoint.runId, datasetKey: checkpoint.datasetKey },
            onEnded: onRunEnded(checkpoint.runId),
          },
        ),
      (error: unknown) => setResumeError(`The run could not be resumed: ${errorMessage(error)}`),
    );
  }, [resumable, train, test, training, onTrained, onRunEnded]);

  return {
    startRun,
    resumeRun,
    resumable,
    hasResumableData:
      resumable.resumable !== null && loadedDatasetKey === resumable.resumable.datasetKey,
    resumeError,
  };
}
