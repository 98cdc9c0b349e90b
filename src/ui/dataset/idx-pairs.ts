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

/**
 * Files `file` as `split`'s images or labels in `pending` (which it changes). Returns the
 * complete pair, and forgets it, once both halves are in; null while one is missing.
 */
export function addIdxHalf(
  pending: PendingIdxHalves,
  split: SplitName,
  kind: IdxKind,
  file: File,
): IdxPair | null {
  const halves = (pending[split] ??= {});
  if (kind === 'idx-images') halves.images = file;
  else halves.labels = file;
  const { images, labels } = halves;
  if (!images || !labels) return null;
  delete pending[split];
  return { images, labels };
}
