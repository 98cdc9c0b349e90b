/**
 * The unfinished training run kept in browser storage, if any: found on load (after a reload
 * or a crash) and after every run, offered as "Resume training from epoch k". The engine
 * writes the checkpoints; this hook only reads, lists and discards them.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CheckpointStore, StoredCheckpoint } from '../../storage/checkpoint-store';
import { readKeptMarks, updateKeptMarks, type KeptMarks } from '../../storage/kept-marks';
import type { TrainingParams } from '../../training/training-params';
import { errorMessage } from '../../shared/errors';

/** What the UI shows about a resumable run (the checkpoint itself is read when resuming). */
export interface ResumableRun {
  runId: string;
  epochsCompleted: number;
  params: TrainingParams;
  datasetKey: string;
  /** ISO 8601 time of the last checkpoint. */
  savedAt: string;
  /** Row counts of the data it trained on (from its dataset key), to say what to load. */
  expectedCounts: { train: number; test: number } | null;
}

export interface ResumableRuns {
  resumable: ResumableRun | null;
  /** False when browser storage cannot keep checkpoints; `reason` says why. */
  isAvailable: boolean;
  reason: string | null;
  /** Looks again (after a run ended). */
  refresh: () => void;
  /** Said once, on the visit that finds it: the unfinished run's checkpoint is gone. */
  lostRun: string | null;
  /** The full checkpoint of a run, for resuming it. */
  read: (runId: string) => Promise<StoredCheckpoint>;
  /** Removes a run's checkpoints. */
  discard: (runId: string) => Promise<void>;
  /** Removes every run's checkpoints (before a new run: only one is kept). */
  discardAll: () => Promise<void>;
}

const loadStore = (): Promise<CheckpointStore> =>
  import('../../storage/checkpoint-store').then((m) => m.createCheckpointStore());

const countsOfDatasetKey = (key: string) =>
  import('../../storage/dataset-store').then((m) => m.countsOfDatasetKey(key));

/**
 * Remembers beside IndexedDB that run `runId` has a checkpoint, so that a later visit can say
 * it is gone if the browser removes it. Called with the epochs each checkpoint covers.
 */
export const rememberCheckpoint =
  (runId: string, epochs: number) =>
  (epochsCompleted: number): void =>
    updateKeptMarks((marks) => ({
      ...marks,
      run: { runId, epochsCompleted, epochs, keptAt: new Date().toISOString() },
    }));

const forgetCheckpoint = () => updateKeptMarks(({ dataset }) => ({ dataset }));

/** What the page says when the checkpoint a mark names is gone; the mark is then dropped. */
function describeLostRun(marks: KeptMarks, readableRunIds: readonly string[]): string | null {
  const { run } = marks;
  if (!run || readableRunIds.includes(run.runId) || run.epochsCompleted >= run.epochs) return null;
  forgetCheckpoint();
  return (
    `The unfinished run (${run.epochsCompleted} of ${run.epochs} epochs, checkpoint of ` +
    `${new Date(run.keptAt).toLocaleString()}) can no longer be resumed: its checkpoint is gone ` +
    'from this browser, which may remove stored data when disk space runs low and storage is ' +
    'not persistent, or site data was cleared.'
  );
}

/**
 * The newest unfinished run with a readable checkpoint. Checkpoints that can never resume
 * (unreadable, or of a finished run) are removed on the way.
 */
async function findNewestResumableRun(): Promise<ResumableRun | null> {
  const store = await loadStore();
  const pointers = await store.listCheckpointPointers();
  let newest: ResumableRun | null = null;
  for (const pointer of pointers) {
    let checkpoint: StoredCheckpoint | null;
    try {
      checkpoint = await store.readLatestCheckpoint(pointer.runId);
    } catch {
      // Unreadable (an older app version, damage): it can never resume, so drop it.
      await store.clearCheckpoints(pointer.runId).catch(() => undefined);
      continue;
    }
    if (!checkpoint) continue;
    if (checkpoint.epoch >= checkpoint.params.epochs) {
      // Finished; the run's result went to the page that trained it.
      await store.clearCheckpoints(pointer.runId).catch(() => undefined);
      continue;
    }
    if (!newest || checkpoint.createdAt > newest.savedAt) {
      newest = {
        runId: checkpoint.runId,
        epochsCompleted: checkpoint.epoch,
        params: checkpoint.params,
        datasetKey: checkpoint.datasetKey,
        savedAt: checkpoint.createdAt,
        expectedCounts: await countsOfDatasetKey(checkpoint.datasetKey),
      };
    }
  }
  return newest;
}

export function useResumableRun(): ResumableRuns {
  const [resumable, setResumable] = useState<ResumableRun | null>(null);
  const [reason, setReason] = useState<string | null>(null);
  const [lostRun, setLostRun] = useState<string | null>(null);
  const generationRef = useRef(0);

  const refresh = useCallback(() => {
    const generation = ++generationRef.current;
    void (async () => {
      try {
        const newest = await findNewestResumableRun();
        if (generation !== generationRef.current) return;
        setResumable(newest);
        setReason(null);
        const lost = describeLostRun(readKeptMarks(), newest ? [newest.runId] : []);
        if (lost) setLostRun(lost);
      } catch (error) {
        if (generation !== generationRef.current) return;
        setResumable(null);
        setReason(errorMessage(error));
      }
    })();
  }, []);

  useEffect(() => {
    refresh();
  }, [refresh]);

  const read = useCallback(async (runId: string) => {
    const checkpoint = await (await loadStore()).readLatestCheckpoint(runId);
    if (!checkpoint)
      throw new Error('The checkpoint of this run is gone (deleted in another tab?)');
    return checkpoint;
  }, []);

  const discard = useCallback(
    async (runId: string) => {
      await (await loadStore()).clearCheckpoints(runId);
      if (readKeptMarks().run?.runId === runId) forgetCheckpoint();
      refresh();
    },
    [refresh],
  );

  const discardAll = useCallback(async () => {
    const store = await loadStore();
    for (const pointer of await store.listCheckpointPointers()) {
      await store.clearCheckpoints(pointer.runId);
    }
    forgetCheckpoint();
    setResumable(null);
    setLostRun(null);
  }, []);

  return {
    resumable,
    lostRun,
    isAvailable: reason === null,
    reason,
    refresh,
    read,
    discard,
    discardAll,
  };
}
