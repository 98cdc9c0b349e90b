/**
 * One drop (or chosen folder) planned as a whole, archives included: each archive's directory
 * is listed first (it sits at the end of the file, nothing is inflated), then every split gets
 * exactly one source, so no two reads of one drop race for a split. The rules:
 *
 * - Files given on their own win over an archive's entries for the same split (a Downloads
 *   folder holding archive.zip and the CSVs extracted from it uses the CSVs).
 * - A split that only archives supply, and more than one of them: the person picks.
 * - Inside one archive the rules of planDatasetSources with 'first' hold (its CSV over its IDX
 *   pair), and the archive is read only for the splits it supplies.
 *
 * Whatever is not used is named in `notes`, with the reason.
 */
import type { SplitName } from '../config/dataset';
import { classifyFile } from './classify-file';
import {
  describeSource,
  joinNames,
  planDatasetSources,
  SPLIT_TITLES,
  type NamedSource,
  type SourcePlan,
  type SplitSource,
} from './dataset-sources';
import { IngestError } from './ingest-types';

/** A file given on its own, or one entry of an archive among the files. */
export type DropItem<T> = { kind: 'file'; file: T } | { kind: 'entry'; archive: T; path: string };

export interface DropPlan<T> {
  /** Files given on their own that supply a split. */
  chosen: { split: SplitName; source: SplitSource<T> }[];
  /** Archives to read, each only for the splits it supplies; an archive absent here is unread. */
  archiveReads: { archive: NamedSource<T>; splits: SplitName[] }[];
  /** Splits given twice the same way (two CSVs, two archives): the person picks one option. */
  conflicts: { split: SplitName; options: SplitSource<DropItem<T>>[] }[];
  /** IDX halves whose partner is not among the files (it may come in a later drop). */
  idxHalves: SourcePlan<T>['idxHalves'];
  unknownSplit: NamedSource<T>[];
  unrelated: NamedSource<T>[];
  /** Archives that hold no Fashion-MNIST file: each is rejected with noDatasetFilesError. */
  emptyArchives: { archive: NamedSource<T>; entryPaths: string[] }[];
  notes: string[];
}

/** Names shown in a sentence: the first few, then how many more. */
const NAMES_SHOWN = 5;

/** "a, b, c, d, e and 3 more". */
export function listNames(names: string[]): string {
  const shown = names.slice(0, NAMES_SHOWN).join(', ');
  return names.length > NAMES_SHOWN ? `${shown} and ${names.length - NAMES_SHOWN} more` : shown;
}

/** Why an archive without Fashion-MNIST files is turned away (the same in the page and the worker). */
export function noDatasetFilesError(archiveName: string, entryPaths: string[]): IngestError {
  const found = entryPaths.length === 0 ? 'an empty archive' : `only ${listNames(entryPaths)}`;
  return new IngestError({
    fileName: archiveName,
    expected:
      'fashion-mnist_train.csv / fashion-mnist_test.csv or the IDX files (train-images-idx3-ubyte …)',
    found,
    message: `${archiveName}: expected the Fashion-MNIST files (fashion-mnist_train.csv and fashion-mnist_test.csv, or the IDX files such as train-images-idx3-ubyte), found ${found}.`,
  });
}

/** What one archive could give a split: the source its own rules pick, and all its entries for it. */
interface ArchiveOffer<T> {
  archive: NamedSource<T>;
  source: SplitSource<string>;
  entryPaths: string[];
}

/** `source` (entry paths of `archive`) as options the page can show and load. */
function offerAsOption<T>({ archive, source }: ArchiveOffer<T>): SplitSource<DropItem<T>> {
  const entry = (named: NamedSource<string>): NamedSource<DropItem<T>> => ({
    name: `${archive.name}/${named.name}`,
    item: { kind: 'entry', archive: archive.item, path: named.item },
  });
  return source.kind === 'csv'
    ? { kind: 'csv', csv: entry(source.csv) }
    : { kind: 'idx', images: entry(source.images), labels: entry(source.labels) };
}

function fileAsOption<T>(source: SplitSource<T>): SplitSource<DropItem<T>> {
  const file = (named: NamedSource<T>): NamedSource<DropItem<T>> => ({
    name: named.name,
    item: { kind: 'file', file: named.item },
  });
  return source.kind === 'csv'
    ? { kind: 'csv', csv: file(source.csv) }
    : { kind: 'idx', images: file(source.images), labels: file(source.labels) };
}

/** Each archive's offers by split; archives with nothing to offer go to `emptyArchives`. */
function collectOffers<T>(
  archives: NamedSource<T>[],
  directories: ReadonlyMap<T, string[]>,
  plan: DropPlan<T>,
): Record<SplitName, ArchiveOffer<T>[]> {
  const offers: Record<SplitName, ArchiveOffer<T>[]> = { train: [], test: [] };
  for (const archive of archives) {
    const entryPaths = directories.get(archive.item);
    if (!entryPaths) continue;
    const own = planDatasetSources(
      entryPaths.map((path) => ({ name: path, item: path })),
      'first',
    );
    if (own.chosen.length === 0) plan.emptyArchives.push({ archive, entryPaths });
    for (const { split, source } of own.chosen) {
      const forSplit = entryPaths.filter((path) => {
        const classification = classifyFile(path);
        return classification?.kind !== 'zip' && classification?.split === split;
      });
      offers[split].push({ archive, source, entryPaths: forSplit });
    }
  }
  return offers;
}

/** Decides where `split` comes from when archives offer it; pushes the outcome onto `plan`. */
function planArchiveSplit<T>(
  split: SplitName,
  offers: ArchiveOffer<T>[],
  loose: SourcePlan<T>,
  plan: DropPlan<T>,
): void {
  if (offers.length === 0) return;
  const title = SPLIT_TITLES[split];
  const looseUsed = loose.chosen.find((c) => c.split === split);
  if (looseUsed || loose.conflicts.some((c) => c.split === split)) {
    const used = looseUsed ? ` used ${describeSource(looseUsed.source)};` : '';
    for (const offer of offers) {
      plan.notes.push(
        `${title}:${used} ignored ${offer.archive.name}'s ${joinNames(offer.entryPaths)} ` +
          "(files given on their own are used over an archive's files for the same split).",
      );
    }
    return;
  }
  const halves = plan.idxHalves.filter((h) => h.split === split);
  if (offers.length === 1) {
    const [offer] = offers;
    const read = plan.archiveReads.find((r) => r.archive.item === offer.archive.item);
    if (read) read.splits.push(split);
    else plan.archiveReads.push({ archive: offer.archive, splits: [split] });
  } else {
    plan.conflicts.push({ split, options: offers.map(offerAsOption) });
  }
  if (halves.length > 0) {
    plan.idxHalves = plan.idxHalves.filter((h) => h.split !== split);
    const from = offers.length === 1 ? offers[0].archive.name : 'the archive you pick';
    plan.notes.push(
      `${title}: ignored ${joinNames(halves.map((h) => h.source.name))} (an IDX file without ` +
        `its other half; ${from} holds the whole split).`,
    );
  }
}

/**
 * Plans `files` (one drop) given the directories of the archives among them, keyed by the
 * archive's item. An archive missing from `directories` (its directory could not be read) is
 * left out: the caller reports it.
 */
export function planDrop<T>(
  files: NamedSource<T>[],
  directories: ReadonlyMap<T, string[]>,
): DropPlan<T> {
  const loose = planDatasetSources(files, 'ask');
  const plan: DropPlan<T> = {
    chosen: loose.chosen,
    archiveReads: [],
    conflicts: loose.conflicts.map(({ split, options }) => ({
      split,
      options: options.map(fileAsOption),
    })),
    idxHalves: loose.idxHalves,
    unknownSplit: loose.unknownSplit,
    unrelated: loose.unrelated,
    emptyArchives: [],
    notes: [...loose.notes],
  };
  const offers = collectOffers(loose.archives, directories, plan);
  planArchiveSplit('train', offers.train, loose, plan);
  planArchiveSplit('test', offers.test, loose, plan);
  return plan;
}
