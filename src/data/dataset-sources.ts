/**
 * Which of the files given at once (one drop, one folder, one archive) become which split.
 * A split comes from one CSV or one IDX pair. When a split is given both ways the CSV is used;
 * when it is given twice the same way the caller either asks the person ('ask') or takes the
 * first in the given order ('first'). Nothing is left out without a sentence saying so.
 */
import type { SplitName } from '../config/dataset';
import { classifyFile } from './classify-file';
import type { FileClassification } from './ingest-types';

/** A file (or archive entry) with the name it is shown under. */
export interface NamedSource<T> {
  name: string;
  item: T;
}

/** Where one split's data comes from. */
export type SplitSource<T> =
  | { kind: 'csv'; csv: NamedSource<T> }
  | { kind: 'idx'; images: NamedSource<T>; labels: NamedSource<T> };

export interface SourcePlan<T> {
  /** One source per split that has exactly one (or, with 'first', the first of several). */
  chosen: { split: SplitName; source: SplitSource<T> }[];
  /** With 'ask': splits given twice the same way; the person picks one option. */
  conflicts: { split: SplitName; options: SplitSource<T>[] }[];
  /** IDX halves whose partner is not among these files (it may come in a later drop). */
  idxHalves: { split: SplitName; kind: 'idx-images' | 'idx-labels'; source: NamedSource<T> }[];
  /** Dataset files whose name says neither train nor test. */
  unknownSplit: NamedSource<T>[];
  /** Files that are not dataset files at all (not CSV, IDX or ZIP). */
  unrelated: NamedSource<T>[];
  /** ZIP archives among the files (an archive's own entries never include these). */
  archives: NamedSource<T>[];
  /** Sentences: what was used for a split when there was a choice, and what was ignored. */
  notes: string[];
}

export const SPLIT_TITLES: Record<SplitName, string> = { train: 'Training set', test: 'Test set' };

/** The names a source is made of, for sentences. */
export function describeSource<T>(source: SplitSource<T>): string {
  return source.kind === 'csv' ? source.csv.name : `${source.images.name} + ${source.labels.name}`;
}

/** "a", "a and b", "a, b and c". */
export const joinNames = (names: string[]): string =>
  names.length <= 2
    ? names.join(' and ')
    : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;

interface SplitCandidates<T> {
  csvs: NamedSource<T>[];
  images: NamedSource<T>[];
  labels: NamedSource<T>[];
}

/** Every IDX pair that can be made from the given halves (images × labels). */
function idxPairs<T>({ images, labels }: SplitCandidates<T>): SplitSource<T>[] {
  return images.flatMap((i) => labels.map((l) => ({ kind: 'idx' as const, images: i, labels: l })));
}

/** Plans one split; pushes its outcome onto `plan`. */
function planSplit<T>(
  split: SplitName,
  candidates: SplitCandidates<T>,
  policy: 'ask' | 'first',
  plan: SourcePlan<T>,
): void {
  const { csvs, images, labels } = candidates;
  const idxNames = [...images, ...labels].map((s) => s.name);
  const options: SplitSource<T>[] =
    csvs.length > 0 ? csvs.map((csv) => ({ kind: 'csv', csv })) : idxPairs(candidates);
  if (options.length === 0) {
    for (const source of images) plan.idxHalves.push({ split, kind: 'idx-images', source });
    for (const source of labels) plan.idxHalves.push({ split, kind: 'idx-labels', source });
    return;
  }
  if (options.length > 1 && policy === 'ask') {
    plan.conflicts.push({ split, options });
    return;
  }
  const [used, ...others] = options;
  plan.chosen.push({ split, source: used });
  if (others.length > 0) {
    plan.notes.push(
      `${SPLIT_TITLES[split]}: used ${describeSource(used)}, the first of ${options.length} ` +
        `sources for it; ignored ${joinNames(others.map(describeSource))}.`,
    );
  }
  if (csvs.length > 0 && idxNames.length > 0) {
    plan.notes.push(
      `${SPLIT_TITLES[split]}: used ${describeSource(used)}; ignored ${joinNames(idxNames)} ` +
        '(when a split comes both as CSV and as IDX files, the CSV is used).',
    );
  }
}

/**
 * Groups `sources` by what their names say and picks each split's source. `classify` defaults
 * to classifyFile of the source's name.
 */
export function planDatasetSources<T>(
  sources: NamedSource<T>[],
  policy: 'ask' | 'first',
  classify: (name: string) => FileClassification | null = classifyFile,
): SourcePlan<T> {
  const plan: SourcePlan<T> = {
    chosen: [],
    conflicts: [],
    idxHalves: [],
    unknownSplit: [],
    unrelated: [],
    archives: [],
    notes: [],
  };
  const bySplit: Record<SplitName, SplitCandidates<T>> = {
    train: { csvs: [], images: [], labels: [] },
    test: { csvs: [], images: [], labels: [] },
  };
  for (const source of sources) {
    const classification = classify(source.name);
    if (!classification) plan.unrelated.push(source);
    else if (classification.kind === 'zip') plan.archives.push(source);
    else if (classification.split === null) plan.unknownSplit.push(source);
    else {
      const candidates = bySplit[classification.split];
      if (classification.kind === 'csv') candidates.csvs.push(source);
      else if (classification.kind === 'idx-images') candidates.images.push(source);
      else candidates.labels.push(source);
    }
  }
  planSplit('train', bySplit.train, policy, plan);
  planSplit('test', bySplit.test, policy, plan);
  return plan;
}
