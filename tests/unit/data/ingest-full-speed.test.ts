/**
 * Speed of both CSV paths on the full training CSV (~133 MB). Skipped by default (it takes a
 * while and creates the full fixture); run with
 *   INGEST_FULL=1 npx vitest run --project unit tests/unit/data/ingest-full-speed.test.ts
 */
import { openAsBlob } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OFFICIAL_TRAIN_COUNT } from '../../../src/config/dataset';
import { ingestCsvFile } from '../../../src/data/ingest-core';
import { csvFixture } from '../../support/fixtures';

describe.skipIf(!process.env.INGEST_FULL)('full training CSV speed', () => {
  const runs: Array<[string, Parameters<typeof ingestCsvFile>[3]]> = [
    ['fast byte parser', {}],
    ['fast byte parser, upper-bound allocation (issue 2)', { allocation: 'upper-bound' }],
    ['fast byte parser again', {}],
    ['papaparse, fastMode auto', { csvParser: 'papaparse' }],
    ['papaparse, fastMode true', { csvParser: 'papaparse', papaparseFastMode: true }],
    ['papaparse, fastMode false', { csvParser: 'papaparse', papaparseFastMode: false }],
  ];
  for (const [name, options] of runs) {
    it(
      name,
      async () => {
        const path = csvFixture('full').trainCsv;
        const blob = await openAsBlob(path);
        const loaded = await ingestCsvFile(blob, 'fashion-mnist_train.csv', 'train', options);
        const mb = blob.size / 1e6;
        console.log(
          `${name}: ${loaded.elapsedMs.toFixed(0)} ms for ${mb.toFixed(1)} MB ` +
            `(${(mb / (loaded.elapsedMs / 1000)).toFixed(1)} MB/s), parser=${loaded.parser}`,
        );
        expect(loaded.count).toBe(OFFICIAL_TRAIN_COUNT);
      },
      300_000,
    );
  }
});
