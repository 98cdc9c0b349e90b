/**
 * IDX data comes in halves (images and labels, one file each) that may arrive in separate
 * drops; a split can be read only once both are in.
 */
import type { SplitName } from '../../config/dataset';

/** Which half of an IDX pair a file is, as classifyFile names it. */
export type IdxKind = 'idx-images' | 'idx-labels';

/** Both halves of one split's IDX data. */
export interface IdxPair {
  images: File;
  labels: File;
}

/** The halves received so far, by split. */
export type PendingIdxHalves = Partial<Record<SplitName, Partial<IdxPair>>>;

/** What adding one half gave. */
export interface IdxHalfOutcome {
  /** Both halves, once the partner is in (the pair is then forgotten); null while one is missing. */
  pair: IdxPair | null;
  /**
   * A half of the same kind that was waiting for its partner and is now set aside for `file`
   * (the later file wins): the caller must say so, never drop it silently.
   */
  replaced: File | null;
}

/** Files `file` as `split`'s images or labels in `pending` (which it changes). */
export function addIdxHalf(
  pending: PendingIdxHalves,
  split: SplitName,
  kind: IdxKind,
  file: File,
): IdxHalfOutcome {
  const halves = (pending[split] ??= {});
  const replaced = (kind === 'idx-images' ? halves.images : halves.labels) ?? null;
  if (kind === 'idx-images') halves.images = file;
  else halves.labels = file;
  const { images, labels } = halves;
  if (!images || !labels) return { pair: null, replaced };
  delete pending[split];
  return { pair: { images, labels }, replaced };
}

/** The sentence for a waiting half set aside by a later one of the same kind. */
export function replacedHalfNote(
  split: SplitName,
  kind: IdxKind,
  kept: File,
  replaced: File,
): string {
  const [half, partner] = kind === 'idx-images' ? ['images', 'labels'] : ['labels', 'images'];
  const title = split === 'train' ? 'Training set' : 'Test set';
  return (
    `${title}: using ${half} file ${kept.name}; ignored ${replaced.name}, the ${half} file ` +
    `given before it while both waited for a ${partner} file (the later of two is used).`
  );
}
