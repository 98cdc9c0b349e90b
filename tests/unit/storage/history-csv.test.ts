/**
 * The epoch history as CSV, the same writer for the page's download and the command line's
 * history.csv: the columns the command line has always written, the test columns only when
 * the run monitored the test set, empty cells for missing numbers, and cells that need quotes
 * quoted.
 */
import { describe, expect, test } from 'vitest';
import { toCsv } from '../../../src/shared/csv';
import { historyCsv } from '../../../src/storage/history-csv';
import type { EpochMetrics } from '../../../src/training/run-types';

const EPOCHS: EpochMetrics[] = [
  {
    epoch: 0,
    loss: 0.61,
    accuracy: 0.78,
    valLoss: 0.5,
    valAccuracy: 0.81,
    elapsedMs: 61_250,
    learningRate: 0.001,
  },
  { epoch: 1, loss: 0.4, accuracy: 0.85, valLoss: NaN, valAccuracy: NaN, elapsedMs: 120_000 },
];

describe('historyCsv', () => {
  test('epochs from 1, seconds per epoch, NaN and missing numbers empty', () => {
    expect(historyCsv(EPOCHS)).toBe(
      'epoch,loss,accuracy,val_loss,val_accuracy,seconds,lr\n' +
        '1,0.61,0.78,0.5,0.81,61.250,0.001\n' +
        '2,0.4,0.85,,,58.750,\n',
    );
  });

  test('test columns when the run monitored the test set', () => {
    const monitored = EPOCHS.map((e, i) => ({ ...e, testLoss: 0.55 - i / 10, testAccuracy: 0.8 }));
    const [header, first] = historyCsv(monitored).split('\n');
    expect(header).toBe(
      'epoch,loss,accuracy,val_loss,val_accuracy,seconds,lr,test_loss,test_accuracy',
    );
    expect(first).toBe('1,0.61,0.78,0.5,0.81,61.250,0.001,0.55,0.8');
  });

  test('no epochs: the header alone', () => {
    expect(historyCsv([])).toBe('epoch,loss,accuracy,val_loss,val_accuracy,seconds,lr\n');
  });
});

describe('toCsv', () => {
  test('quotes cells with commas, quotes or line breaks, as spreadsheets expect', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['1 · Conv64, valid', 'say "hi"'],
          ['two\nlines', 3],
        ],
      ),
    ).toBe('a,b\n"1 · Conv64, valid","say ""hi"""\n"two\nlines",3\n');
  });
});
