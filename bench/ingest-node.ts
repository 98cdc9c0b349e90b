/**
 * Speed of both CSV paths on the full training CSV (~133 MB) in Node: the fast byte parser
 * (growable and upper-bound arrays) and the papaparse fallback with its fastMode settings,
 * one after another in one process. Run: `node bench/ingest-node.mjs`.
 */
import { openAsBlob } from 'node:fs';
import { OFFICIAL_TRAIN_COUNT } from '../src/config/dataset';
import { ingestCsvFile } from '../src/data/ingest-core';
import { ensureCsvFixture } from '../tests/support/csv-fixtures.mjs';

const RUNS: Array<[string, Parameters<typeof ingestCsvFile>[3]]> = [
  ['fast byte parser', {}],
  ['fast byte parser, upper-bound allocation', { allocation: 'upper-bound' }],
  ['fast byte parser again', {}],
  ['papaparse, fastMode auto', { csvParser: 'papaparse' }],
  ['papaparse, fastMode true', { csvParser: 'papaparse', papaparseFastMode: true }],
  ['papaparse, fastMode false', { csvParser: 'papaparse', papaparseFastMode: false }],
];

export async function runIngestNodeBench(): Promise<void> {
  const { trainCsv } = await ensureCsvFixture('full');
  for (const [name, options] of RUNS) {
    const blob = await openAsBlob(trainCsv);
    const loaded = await ingestCsvFile(blob, 'fashion-mnist_train.csv', 'train', options);
    if (loaded.count !== OFFICIAL_TRAIN_COUNT) {
      throw new Error(`${name}: read ${loaded.count} rows, expected ${OFFICIAL_TRAIN_COUNT}`);
    }
    const mb = blob.size / 1e6;
    console.log(
      `${name}: ${loaded.elapsedMs.toFixed(0)} ms for ${mb.toFixed(1)} MB ` +
        `(${(mb / (loaded.elapsedMs / 1000)).toFixed(1)} MB/s), parser=${loaded.parser}`,
    );
  }
}
