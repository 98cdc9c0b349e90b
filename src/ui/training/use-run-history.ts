/**
 * The runs table's rows: the runs kept in this browser (read once the page is up) and every
 * run that ends in this tab, kept there too until deleted. The store's module loads lazily, so
 * the first screen does not carry it. When the browser cannot keep them, runs still show for
 * this visit and the page says why they will not outlive it.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { RunRecord, RunStore } from '../../storage/run-store';
import { errorMessage } from '../../shared/errors';

export interface RunHistory {
  /** Oldest first. */
  runs: RunRecord[];
  /** Shows a finished run at once and keeps it in the browser; returns its (unique) id. */
  add: (run: RunRecord) => number;
  remove: (id: number) => void;
  /** Why runs are not (all) kept across reloads, or why one could not be deleted. */
  problem: string | null;
}

const loadStore = (): Promise<RunStore> =>
  import('../../storage/run-store').then((m) => m.createRunStore());

/** `runs` with `added` merged in by id, oldest first. */
function mergeRuns(runs: readonly RunRecord[], added: readonly RunRecord[]): RunRecord[] {
  const byId = new Map(runs.map((run) => [run.id, run]));
  for (const run of added) byId.set(run.id, run);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

export function useRunHistory(): RunHistory {
  const [runs, setRuns] = useState<RunRecord[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  /** Ids in use, kept beside state so two runs ending in the same ms still get two ids. */
  const idsRef = useRef(new Set<number>());

  useEffect(() => {
    let isCurrent = true;
    void (async () => {
      try {
        const { runs: kept, skipped } = await (await loadStore()).listRuns();
        if (!isCurrent) return;
        for (const run of kept) idsRef.current.add(run.id);
        setRuns((current) => mergeRuns(kept, current));
        if (skipped > 0) {
          setProblem(
            `${skipped} kept run${skipped === 1 ? ' was' : 's were'} unreadable (damaged, or from another version of the app) and ${skipped === 1 ? 'is' : 'are'} not shown.`,
          );
        }
      } catch (error) {
        if (isCurrent) setProblem(`Runs are not kept across reloads: ${errorMessage(error)}`);
      }
    })();
    return () => {
      isCurrent = false;
    };
  }, []);

  const add = useCallback((finished: RunRecord): number => {
    let id = finished.id;
    while (idsRef.current.has(id)) id++;
    idsRef.current.add(id);
    const run = { ...finished, id };
    setRuns((current) => mergeRuns(current, [run]));
    void loadStore()
      .then((store) => store.saveRun(run))
      .catch((error: unknown) =>
        setProblem(
          `This run is shown here but could not be kept in this browser: ${errorMessage(error)}`,
        ),
      );
    return id;
  }, []);

  const remove = useCallback((id: number) => {
    setRuns((current) => current.filter((run) => run.id !== id));
    void loadStore()
      .then((store) => store.deleteRun(id))
      .catch((error: unknown) =>
        setProblem(`The run may come back after a reload: ${errorMessage(error)}`),
      );
  }, []);

  return { runs, add, remove, problem };
}
