/**
 * IDX halves that arrive apart: a pair forms once both are in, and a second half of the same
 * kind replaces the waiting one only with a sentence saying so (real IDX headers).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  addIdxHalf,
  replacedHalfNote,
  type PendingIdxHalves,
} from '../../../src/ui/dataset/idx-pairs';
import { idxFile } from '../../support/fixtures';

const file = (name: Parameters<typeof idxFile>[0], as: string = name) =>
  new File([readFileSync(idxFile(name)).subarray(0, 64)], as);

describe('addIdxHalf', () => {
  it('pairs images with labels whatever the order, then forgets the pair', () => {
    const pending: PendingIdxHalves = {};
    const labels = file('train-labels-idx1-ubyte.gz');
    const images = file('train-images-idx3-ubyte.gz');
    expect(addIdxHalf(pending, 'train', 'idx-labels', labels)).toEqual({
      pair: null,
      replaced: null,
    });
    expect(addIdxHalf(pending, 'train', 'idx-images', images)).toEqual({
      pair: { images, labels },
      replaced: null,
    });
    expect(pending).toEqual({});
  });

  it('two images files for one split and no labels: the later waits, the earlier is returned to be named', () => {
    const pending: PendingIdxHalves = {};
    const first = file('t10k-images-idx3-ubyte.gz');
    const second = file('t10k-images-idx3-ubyte.gz', 'fashion/t10k-images-idx3-ubyte.gz');
    addIdxHalf(pending, 'test', 'idx-images', first);
    const outcome = addIdxHalf(pending, 'test', 'idx-images', second);
    expect(outcome).toEqual({ pair: null, replaced: first });
    expect(replacedHalfNote('test', 'idx-images', second, first)).toBe(
      'Test set: using images file fashion/t10k-images-idx3-ubyte.gz; ignored t10k-images-idx3-ubyte.gz, the images file given before it while both waited for a labels file (the later of two is used).',
    );
    const labels = file('t10k-labels-idx1-ubyte.gz');
    expect(addIdxHalf(pending, 'test', 'idx-labels', labels).pair).toEqual({
      images: second,
      labels,
    });
  });

  it('halves of different splits never pair or replace each other', () => {
    const pending: PendingIdxHalves = {};
    addIdxHalf(pending, 'train', 'idx-images', file('train-images-idx3-ubyte.gz'));
    expect(addIdxHalf(pending, 'test', 'idx-labels', file('t10k-labels-idx1-ubyte.gz'))).toEqual({
      pair: null,
      replaced: null,
    });
  });
});
