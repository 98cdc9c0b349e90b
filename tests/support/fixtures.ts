/**
 * Test data: Kaggle-layout CSVs made from the real Fashion-MNIST IDX files in
 * ../shared/data/fashion-mnist by its make-csv.mjs. They live in the ignored `.fixtures/`
 * folder and are never committed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Folder with the four official IDX .gz files (override with FASHION_MNIST_DIR). */
export const DATASET_DIR = resolve(
  process.env.FASHION_MNIST_DIR ?? join(PROJECT_ROOT, '../shared/data/fashion-mnist'),
);

export const FIXTURES_DIR = join(PROJECT_ROOT, '.fixtures');

/** Row limits of the CSV fixture sets; `full` is the whole dataset. */
export const FIXTURE_SETS = { small: 100, subset: 2000, full: undefined } as const;
export type FixtureSet = keyof typeof FIXTURE_SETS;

export interface CsvFixture {
  trainCsv: string;
  testCsv: string;
}

/** Paths of one CSV fixture set, creating it from the IDX files when missing. */
export function csvFixture(set: FixtureSet): CsvFixture {
  const dir = join(FIXTURES_DIR, set);
  const trainCsv = join(dir, 'fashion-mnist_train.csv');
  const testCsv = join(dir, 'fashion-mnist_test.csv');
  if (!existsSync(trainCsv) || !existsSync(testCsv)) {
    mkdirSync(dir, { recursive: true });
    const limit = FIXTURE_SETS[set];
    const args = [
      join(DATASET_DIR, 'make-csv.mjs'),
      dir,
      ...(limit ? ['--limit', String(limit)] : []),
    ];
    execFileSync(process.execPath, args, { stdio: 'inherit' });
  }
  return { trainCsv, testCsv };
}

/** Path of one of the official gzipped IDX files. */
export function idxFile(
  name:
    | 'train-images-idx3-ubyte.gz'
    | 'train-labels-idx1-ubyte.gz'
    | 't10k-images-idx3-ubyte.gz'
    | 't10k-labels-idx1-ubyte.gz',
): string {
  return join(DATASET_DIR, name);
}

/** The first `rowCount` data rows of the real training CSV, header included, as text. */
export function realCsvText(rowCount: number, split: 'train' | 'test' = 'train'): string {
  const fixture = csvFixture(rowCount <= FIXTURE_SETS.small ? 'small' : 'subset');
  const text = readFileSync(split === 'train' ? fixture.trainCsv : fixture.testCsv, 'utf8');
  const lines = text.split('\n');
  return lines.slice(0, rowCount + 1).join('\n') + '\n';
}
