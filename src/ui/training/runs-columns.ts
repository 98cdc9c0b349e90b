/**
 * The runs table's columns, as data: what each cell says, what it sorts by, and the same rows
 * as Markdown (the cells as shown) and CSV (raw numbers, one value a column, for a notebook).
 * The columns follow the seed project's experiment table: model, parameters, train,
 * validation and test accuracy, epochs, time, backend; then the recipe and the settings.
 */
import type { RunRecord } from '../../storage/run-store';
import { toCsv, type CsvCell } from '../../shared/csv';
import { optimizerLabel } from '../../training/training-params';
import { formatCount, formatDuration, formatPercent } from '../format';
import { summarizeRecipe } from './recipe-summary';

/** A kept run and its number: its place among the kept runs, oldest first, from 1. */
export interface NumberedRun {
  run: RunRecord;
  number: number;
}

export type RunColumnId =
  | 'number'
  | 'model'
  | 'parameters'
  | 'train'
  | 'validation'
  | 'test'
  | 'flip'
  | 'epochs'
  | 'time'
  | 'backend'
  | 'recipe'
  | 'settings';

export interface RunColumn {
  id: RunColumnId;
  header: string;
  /** The cell as the page (and the Markdown copy) shows it. */
  text: (row: NumberedRun) => string;
  /** What the column sorts by; NaN sorts last in either direction. */
  sortValue: (row: NumberedRun) => number | string;
  isNumeric: boolean;
}

const percentColumn = (
  id: RunColumnId,
  header: string,
  value: (run: RunRecord) => number | undefined,
): RunColumn => ({
  id,
  header,
  text: ({ run }) => formatPercent(value(run) ?? NaN),
  sortValue: ({ run }) => value(run) ?? NaN,
  isNumeric: true,
});

const epochsText = (run: RunRecord) =>
  `${run.epochsDone}${run.end === 'stopped' ? ` of ${run.trainingParams.epochs} (stopped)` : ''}`;

const settingsText = ({ trainingParams: p }: RunRecord) =>
  `batch ${p.batchSize} · lr ${p.learningRate} · ${optimizerLabel(p.optimizer)}`;

export const RUN_COLUMNS: readonly RunColumn[] = [
  {
    id: 'number',
    header: 'Run',
    text: ({ number }) => String(number),
    sortValue: ({ number }) => number,
    isNumeric: true,
  },
  {
    id: 'model',
    header: 'Model',
    text: ({ run }) => run.architectureLabel,
    sortValue: ({ run }) => run.architectureLabel,
    isNumeric: false,
  },
  {
    id: 'parameters',
    header: 'Parameters',
    text: ({ run }) => formatCount(run.parameterCount),
    sortValue: ({ run }) => run.parameterCount,
    isNumeric: true,
  },
  percentColumn('train', 'Train acc.', (run) => run.trainAccuracy),
  percentColumn('validation', 'Val. acc.', (run) => run.valAccuracy),
  percentColumn('test', 'Test acc.', (run) => run.testAccuracy),
  percentColumn('flip', 'Test acc. (flip avg.)', (run) => run.testAccuracyFlipAveraged),
  {
    id: 'epochs',
    header: 'Epochs',
    text: ({ run }) => epochsText(run),
    sortValue: ({ run }) => run.epochsDone,
    isNumeric: true,
  },
  {
    id: 'time',
    header: 'Time',
    text: ({ run }) => formatDuration(run.wallTimeMs),
    sortValue: ({ run }) => run.wallTimeMs,
    isNumeric: true,
  },
  {
    id: 'backend',
    header: 'Backend',
    text: ({ run }) => run.backend,
    sortValue: ({ run }) => run.backend,
    isNumeric: false,
  },
  {
    id: 'recipe',
    header: 'Recipe',
    text: ({ run }) => summarizeRecipe(run.trainingParams),
    sortValue: ({ run }) => summarizeRecipe(run.trainingParams),
    isNumeric: false,
  },
  {
    id: 'settings',
    header: 'Settings',
    text: ({ run }) => settingsText(run),
    sortValue: ({ run }) => settingsText(run),
    isNumeric: false,
  },
];

export type SortDirection = 'ascending' | 'descending';

export interface RunSort {
  column: RunColumnId;
  direction: SortDirection;
}

/** The rows ordered by `sort` (stable; missing numbers last either way). */
export function sortRuns(rows: readonly NumberedRun[], sort: RunSort): NumberedRun[] {
  const column = RUN_COLUMNS.find((c) => c.id === sort.column) ?? RUN_COLUMNS[0];
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, value: column.sortValue(row) }))
    .sort((a, b) => {
      const aMissing = typeof a.value === 'number' && Number.isNaN(a.value);
      const bMissing = typeof b.value === 'number' && Number.isNaN(b.value);
      if (aMissing !== bMissing) return aMissing ? 1 : -1;
      const order =
        typeof a.value === 'number' && typeof b.value === 'number'
          ? a.value - b.value
          : String(a.value).localeCompare(String(b.value));
      return sign * order || a.index - b.index;
    })
    .map(({ row }) => row);
}

/** The rows as a Markdown table, cells as the page shows them, numbers aligned right. */
export function runsMarkdown(rows: readonly NumberedRun[]): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const line = (cells: string[]) => `| ${cells.map(escape).join(' | ')} |`;
  return [
    line(RUN_COLUMNS.map((c) => c.header)),
    `|${RUN_COLUMNS.map((c) => (c.isNumeric ? ' ---: ' : ' --- ')).join('|')}|`,
    ...rows.map((row) => line(RUN_COLUMNS.map((c) => c.text(row)))),
  ].join('\n');
}

/** CSV columns: raw values (fractions, seconds), one setting a column. */
const CSV_COLUMNS: readonly [string, (row: NumberedRun) => CsvCell][] = [
  ['run', ({ number }) => number],
  ['model', ({ run }) => run.architectureLabel],
  ['architecture', ({ run }) => run.trainingParams.architectureId],
  ['parameters', ({ run }) => run.parameterCount],
  ['train_accuracy', ({ run }) => run.trainAccuracy],
  ['val_accuracy', ({ run }) => run.valAccuracy],
  ['test_accuracy', ({ run }) => run.testAccuracy],
  ['test_accuracy_flip_averaged', ({ run }) => run.testAccuracyFlipAveraged],
  ['epochs', ({ run }) => run.epochsDone],
  ['epochs_planned', ({ run }) => run.trainingParams.epochs],
  ['end', ({ run }) => run.end],
  ['seconds', ({ run }) => (run.wallTimeMs / 1000).toFixed(1)],
  ['backend', ({ run }) => run.backend],
  ['recipe', ({ run }) => summarizeRecipe(run.trainingParams)],
  ['batch_size', ({ run }) => run.trainingParams.batchSize],
  ['learning_rate', ({ run }) => run.trainingParams.learningRate],
  ['optimizer', ({ run }) => run.trainingParams.optimizer],
  ['validation_fraction', ({ run }) => run.trainingParams.validationFraction],
  ['seed', ({ run }) => run.trainingParams.seed],
  ['samples_per_sec', ({ run }) => run.samplesPerSec?.toFixed(1)],
  ['finished_at', ({ run }) => run.finishedAt],
];

export function runsCsv(rows: readonly NumberedRun[]): string {
  return toCsv(
    CSV_COLUMNS.map(([name]) => name),
    rows.map((row) => CSV_COLUMNS.map(([, value]) => value(row))),
  );
}
