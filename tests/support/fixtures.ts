/**
 * Test data: Kaggle-layout CSVs made from the real Fashion-MNIST IDX files by
 * csv-fixtures.mjs. They live in the ignored `.fixtures/` folder and are never committed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATASET_DIR, FIXTURE_SETS, FIXTURES_DIR } from './csv-fixtures.mjs';

export { DATASET_DIR, FIXTURE_SETS, FIXTURES_DIR, PROJECT_ROOT } from './csv-fixtures.mjs';
export type FixtureSet = keyof typeof FIXTURE_SETS;

export interface CsvFixture {
  trainCsv: string;
  testCsv: string;
}

const MAKER = join(import.meta.dirname, 'csv-fixtures.mjs');

/** Paths of one CSV fixture set, creating it from the IDX files when missing. */
export function csvFixture(set: FixtureSet): CsvFixture {
  const dir = join(FIXTURES_DIR, set);
  const trainCsv = join(dir, 'fashion-mnist_train.csv');
  const testCsv = join(dir, 'fashion-mnist_test.csv');
  // Synchronous so that test files can ask for fixtures at the top level.
  if (!existsSync(trainCsv) || !existsSync(testCsv)) {
    execFileSync(process.execPath, [MAKER, set], { stdio: 'inherit' });
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
