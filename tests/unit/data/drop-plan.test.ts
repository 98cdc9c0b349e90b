/**
 * One drop planned as a whole, archives included (planDrop): every split gets one source, and
 * every file left out is named with the reason. Archive directories here are the entry paths
 * of Kaggle's archive.zip; the archive reading itself is tested in archives.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { describeSource } from '../../../src/data/dataset-sources';
import { planDrop } from '../../../src/data/dataset-sources-drop';

/** The entries of Kaggle's archive.zip, in its order. */
const KAGGLE_ENTRIES = [
  'fashion-mnist_test.csv',
  'fashion-mnist_train.csv',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
];

const named = (...names: string[]) => names.map((name) => ({ name, item: name }));

describe('an archive and files given on their own, in one drop', () => {
  it('a loose training CSV wins over the archive’s; the archive is read for the test set only, and the note says so', () => {
    const plan = planDrop(
      named('archive.zip', 'fashion-mnist_train.csv'),
      new Map([['archive.zip', KAGGLE_ENTRIES]]),
    );
    expect(plan.chosen.map((c) => [c.split, describeSource(c.source)])).toEqual([
      ['train', 'fashion-mnist_train.csv'],
    ]);
    expect(plan.archiveReads).toEqual([
      { archive: { name: 'archive.zip', item: 'archive.zip' }, splits: ['test'] },
    ]);
    expect(plan.conflicts).toEqual([]);
    expect(plan.notes).toEqual([
      "Training set: used fashion-mnist_train.csv; ignored archive.zip's fashion-mnist_train.csv, train-images-idx3-ubyte and train-labels-idx1-ubyte (files given on their own are used over an archive's files for the same split).",
    ]);
  });

  it('a Downloads folder with archive.zip and both extracted CSVs: the archive is not read at all', () => {
    const plan = planDrop(
      named(
        'Downloads/archive.zip',
        'Downloads/fashion-mnist_test.csv',
        'Downloads/fashion-mnist_train.csv',
      ),
      new Map([['Downloads/archive.zip', KAGGLE_ENTRIES]]),
    );
    expect(plan.archiveReads).toEqual([]);
    expect(plan.chosen.map((c) => c.split)).toEqual(['train', 'test']);
    expect(plan.notes).toEqual([
      "Training set: used Downloads/fashion-mnist_train.csv; ignored Downloads/archive.zip's fashion-mnist_train.csv, train-images-idx3-ubyte and train-labels-idx1-ubyte (files given on their own are used over an archive's files for the same split).",
      "Test set: used Downloads/fashion-mnist_test.csv; ignored Downloads/archive.zip's fashion-mnist_test.csv, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (files given on their own are used over an archive's files for the same split).",
    ]);
  });

  it('loose files that are themselves in question (two training CSVs) still win over the archive, and the person is asked between them only', () => {
    const plan = planDrop(
      named('a/fashion-mnist_train.csv', 'archive.zip', 'b/fashion-mnist_train.csv'),
      new Map([['archive.zip', KAGGLE_ENTRIES]]),
    );
    expect(plan.conflicts).toHaveLength(1);
    expect(plan.conflicts[0].options.map(describeSource)).toEqual([
      'a/fashion-mnist_train.csv',
      'b/fashion-mnist_train.csv',
    ]);
    expect(plan.conflicts[0].options[0]).toEqual({
      kind: 'csv',
      csv: {
        name: 'a/fashion-mnist_train.csv',
        item: { kind: 'file', file: 'a/fashion-mnist_train.csv' },
      },
    });
    expect(plan.archiveReads).toEqual([
      { archive: { name: 'archive.zip', item: 'archive.zip' }, splits: ['test'] },
    ]);
    expect(plan.notes).toEqual([
      "Training set: ignored archive.zip's fashion-mnist_train.csv, train-images-idx3-ubyte and train-labels-idx1-ubyte (files given on their own are used over an archive's files for the same split).",
    ]);
  });

  it('a lone IDX half beside an archive that holds its whole split: the archive is used, the half named as ignored', () => {
    const plan = planDrop(
      named('train-images-idx3-ubyte.gz', 'archive.zip'),
      new Map([['archive.zip', KAGGLE_ENTRIES]]),
    );
    expect(plan.idxHalves).toEqual([]);
    expect(plan.archiveReads[0].splits).toEqual(['train', 'test']);
    expect(plan.notes).toEqual([
      'Training set: ignored train-images-idx3-ubyte.gz (an IDX file without its other half; archive.zip holds the whole split).',
    ]);
  });
});

describe('two archives in one drop', () => {
  it('both hold both splits: the person is asked for each split, between the archives’ entries', () => {
    const plan = planDrop(
      named('old/archive.zip', 'new/archive.zip'),
      new Map([
        ['old/archive.zip', KAGGLE_ENTRIES],
        ['new/archive.zip', KAGGLE_ENTRIES],
      ]),
    );
    expect(plan.archiveReads).toEqual([]);
    expect(plan.chosen).toEqual([]);
    expect(plan.conflicts.map((c) => [c.split, c.options.map(describeSource)])).toEqual([
      [
        'train',
        ['old/archive.zip/fashion-mnist_train.csv', 'new/archive.zip/fashion-mnist_train.csv'],
      ],
      [
        'test',
        ['old/archive.zip/fashion-mnist_test.csv', 'new/archive.zip/fashion-mnist_test.csv'],
      ],
    ]);
    const picked = plan.conflicts[0].options[1];
    expect(picked.kind === 'csv' && picked.csv.item).toEqual({
      kind: 'entry',
      archive: 'new/archive.zip',
      path: 'fashion-mnist_train.csv',
    });
  });

  it('each holds a different split: each is read for its own, nothing asked', () => {
    const plan = planDrop(
      named('train.zip', 'test.zip'),
      new Map([
        ['train.zip', ['fashion/train-images-idx3-ubyte.gz', 'fashion/train-labels-idx1-ubyte.gz']],
        ['test.zip', ['fashion-mnist_test.csv', 'README.md']],
      ]),
    );
    expect(plan.archiveReads.map((r) => [r.archive.name, r.splits])).toEqual([
      ['train.zip', ['train']],
      ['test.zip', ['test']],
    ]);
    expect(plan.conflicts).toEqual([]);
    expect(plan.notes).toEqual([]);
  });

  it('an archive without Fashion-MNIST files is listed to be rejected, and the good one is read', () => {
    const plan = planDrop(
      named('photos.zip', 'archive.zip'),
      new Map([
        ['photos.zip', ['cat.png', 'notes.txt']],
        ['archive.zip', KAGGLE_ENTRIES],
      ]),
    );
    expect(plan.emptyArchives).toEqual([
      { archive: { name: 'photos.zip', item: 'photos.zip' }, entryPaths: ['cat.png', 'notes.txt'] },
    ]);
    expect(plan.archiveReads.map((r) => [r.archive.name, r.splits])).toEqual([
      ['archive.zip', ['train', 'test']],
    ]);
  });

  it('an archive whose directory could not be read is left to the caller', () => {
    const plan = planDrop(named('damaged.zip', 'fashion-mnist_test.csv'), new Map());
    expect(plan.archiveReads).toEqual([]);
    expect(plan.emptyArchives).toEqual([]);
    expect(plan.chosen.map((c) => c.split)).toEqual(['test']);
  });
});
