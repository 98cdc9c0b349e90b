/**
 * What this browser's IndexedDB should hold for the app (the kept data, an unfinished run's
 * checkpoint), remembered in localStorage beside it. Browsers may evict IndexedDB under disk
 * pressure when persistence was not granted; with these marks the next visit can tell "the
 * browser removed it" from "it was never kept" and say so, instead of offering a resume that
 * cannot work. Clearing all site data removes the marks too: then the visit is a first visit.
 */
import type { SplitName } from '../config/dataset';
import { isRecord } from '../shared/guards';

/** localStorage key; `v1` is the record's layout version. */
export const KEPT_MARKS_KEY = 'fashion-mnist-studio.kept-marks/v1';

export interface KeptMarks {
  /** Splits kept in IndexedDB: image count by split, and when the newest was kept. */
  dataset?: { counts: Partial<Record<SplitName, number>>; keptAt: string };
  /** The unfinished run whose checkpoint is kept. */
  run?: { runId: string; epochsCompleted: number; epochs: number; keptAt: string };
}

/** The parts of Web Storage used here; localStorage in the page, a double in tests. */
export type MarkStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The page's localStorage, or null where there is none or it is blocked. */
export function pageStorage(): MarkStorage | null {
  try {
    return (globalThis as { localStorage?: Storage }).localStorage ?? null;
  } catch {
    return null;
  }
}

const isCount = (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) && value > 0;

/** The marks as stored; a missing, damaged or foreign record counts as no marks. */
export function readKeptMarks(storage: MarkStorage | null = pageStorage()): KeptMarks {
  let value: unknown;
  try {
    value = JSON.parse(storage?.getItem(KEPT_MARKS_KEY) ?? '{}');
  } catch {
    return {};
  }
  if (!isRecord(value)) return {};
  const marks: KeptMarks = {};
  const { dataset, run } = value;
  if (isRecord(dataset) && isRecord(dataset.counts) && typeof dataset.keptAt === 'string') {
    const counts: Partial<Record<SplitName, number>> = {};
    for (const split of ['train', 'test'] as const) {
      if (isCount(dataset.counts[split])) counts[split] = dataset.counts[split] as number;
    }
    marks.dataset = { counts, keptAt: dataset.keptAt };
  }
  if (
    isRecord(run) &&
    typeof run.runId === 'string' &&
    isCount(run.epochsCompleted) &&
    isCount(run.epochs) &&
    typeof run.keptAt === 'string'
  ) {
    marks.run = {
      runId: run.runId,
      epochsCompleted: run.epochsCompleted as number,
      epochs: run.epochs as number,
      keptAt: run.keptAt,
    };
  }
  return marks;
}

/** Changes the marks; a blocked or full storage only loses the marks, never anything else. */
export function updateKeptMarks(
  change: (marks: KeptMarks) => KeptMarks,
  storage: MarkStorage | null = pageStorage(),
): void {
  try {
    const next = change(readKeptMarks(storage));
    if (!next.dataset && !next.run) storage?.removeItem(KEPT_MARKS_KEY);
    else storage?.setItem(KEPT_MARKS_KEY, JSON.stringify(next));
  } catch {
    // Without marks the next visit cannot tell eviction apart; nothing else depends on them.
  }
}

/** What a later visit finds missing of what the marks say was kept. */
export interface LostFromStorage {
  /** Splits that were kept and are gone, with the counts they had. */
  splits: { split: SplitName; count: number }[];
  keptAt?: string;
}

/** The kept splits the marks name that `found` (the splits read back) lacks. */
export function findLostSplits(marks: KeptMarks, found: readonly SplitName[]): LostFromStorage {
  const counts = marks.dataset?.counts ?? {};
  const splits = (['train', 'test'] as const)
    .filter((split) => counts[split] !== undefined && !found.includes(split))
    .map((split) => ({ split, count: counts[split] as number }));
  return { splits, keptAt: marks.dataset?.keptAt };
}
