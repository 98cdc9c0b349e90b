/**
 * A run's epoch history as CSV: the page's "Download history (CSV)" and the command line's
 * history.csv, one writer for both. One row per epoch, numbered from 1 as the page and the
 * command line's epoch lines number them; an empty cell where a number is missing (no
 * validation split). The test columns are there when the run monitored the test set.
 */
import { toCsv } from '../shared/csv';
import type { EpochMetrics } from '../training/run-types';

export const HISTORY_CSV_COLUMNS = [
  'epoch',
  'loss',
  'accuracy',
  'val_loss',
  'val_accuracy',
  'seconds',
  'lr',
] as const;
/** Added when any epoch has test-set metrics. */
export const HISTORY_CSV_TEST_COLUMNS = ['test_loss', 'test_accuracy'] as const;

/** Seconds the epoch at `index` took (EpochMetrics.elapsedMs is cumulative). */
function epochSeconds(history: readonly EpochMetrics[], index: number): number {
  const previousMs = index > 0 ? history[index - 1].elapsedMs : 0;
  return (history[index].elapsedMs - previousMs) / 1000;
}

export function historyCsv(history: readonly EpochMetrics[]): string {
  const hasTest = history.some((m) => m.testLoss !== undefined || m.testAccuracy !== undefined);
  const rows = history.map((m, i) => [
    m.epoch + 1,
    m.loss,
    m.accuracy,
    m.valLoss,
    m.valAccuracy,
    epochSeconds(history, i).toFixed(3),
    m.learningRate,
    ...(hasTest ? [m.testLoss, m.testAccuracy] : []),
  ]);
  const header = [...HISTORY_CSV_COLUMNS, ...(hasTest ? HISTORY_CSV_TEST_COLUMNS : [])];
  return toCsv(header, rows);
}
