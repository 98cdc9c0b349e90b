/** Real Fashion-MNIST rows as the split the UI holds once a file is loaded. */
import type { SplitName } from '../../src/config/dataset';
import type { LoadedSplit } from '../../src/data/ingest-types';
import { loadRealSplit } from '../unit/training/real-data';

/** The first `count` rows of the official `split`, as if read from its IDX files. */
export function realLoadedSplit(split: SplitName, count: number): LoadedSplit {
  const { images, labels } = loadRealSplit(split, count);
  const prefix = split === 'train' ? 'train' : 't10k';
  return {
    split,
    images,
    labels,
    count,
    sourceFiles: [`${prefix}-images-idx3-ubyte.gz`, `${prefix}-labels-idx1-ubyte.gz`],
    parser: 'idx',
    elapsedMs: 1234,
  };
}
