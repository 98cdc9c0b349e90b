/**
 * Both CSV paths on real rows: counts, labels and pixel bytes against the official IDX files,
 * line-ending and BOM variants, chunk boundaries, and the papaparse hand-over.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ingestCsvFile } from '../../../src/data/ingest-core';
import { csvFixture, realCsvText } from '../../support/fixtures';
import { encode, idxReference, runFast, runPapaparse, type Outcome } from './csv-test-helpers';

const FIRST_TRAIN_LABELS = [9, 0, 0, 3, 0, 2, 7, 2, 5, 5];
const FIRST_TEST_LABELS = [9, 2, 1, 1, 6, 1, 4, 6, 5, 7];

function expectOk(outcome: Outcome): Extract<Outcome, { kind: 'ok' }> {
  if (outcome.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(outcome)}`);
  return outcome;
}

describe('real fixtures through ingestCsvFile', () => {
  for (const set of ['small', 'subset'] as const) {
    for (const split of ['train', 'test'] as const) {
      for (const csvParser of ['auto', 'papaparse'] as const) {
        it(`${set} ${split} CSV, ${csvParser}: rows, labels and pixels match the IDX files`, async () => {
          const fixture = csvFixture(set);
          const path = split === 'train' ? fixture.trainCsv : fixture.testCsv;
          const name = `fashion-mnist_${split}.csv`;
          const file = new File([readFileSync(path)], name);
          const loaded = await ingestCsvFile(file, name, split, { csvParser });
          const expectedCount = set === 'small' ? 100 : 2000;
          expect(loaded.count).toBe(expectedCount);
          expect(loaded.parser).toBe(csvParser === 'auto' ? 'fast-csv' : 'papaparse');
          expect(loaded.images.length).toBe(expectedCount * 784);
          expect(loaded.images.buffer.byteLength).toBe(expectedCount * 784);
          expect(loaded.labels.buffer.byteLength).toBe(expectedCount);
          expect(Array.from(loaded.labels.subarray(0, 10))).toEqual(
            split === 'train' ? FIRST_TRAIN_LABELS : FIRST_TEST_LABELS,
          );
          const reference = idxReference(split, expectedCount);
          expect(Buffer.compare(loaded.labels, reference.labels)).toBe(0);
          expect(Buffer.compare(loaded.images, reference.images)).toBe(0);
          expect(loaded.sourceFiles).toEqual([name]);
        });
      }
    }
  }
});

describe('line endings, BOM, final newline', () => {
  const plain = realCsvText(5);
  const reference = idxReference('train', 5);
  const variants: Record<string, string> = {
    'LF with final newline': plain,
    'no final newline': plain.slice(0, -1),
    CRLF: plain.replaceAll('\n', '\r\n'),
    'CRLF without final newline': plain.replaceAll('\n', '\r\n').slice(0, -2),
    'UTF-8 BOM': `\uFEFF${plain}`,
    'BOM + CRLF': `\uFEFF${plain.replaceAll('\n', '\r\n')}`,
    'mixed LF and CRLF': plain.replace('\n', '\r\n'),
    'trailing blank lines': `${plain}\n\r\n\n`,
  };
  for (const [name, text] of Object.entries(variants)) {
    it(`${name}: both paths give the real arrays`, async () => {
      for (const run of [runFast, runPapaparse]) {
        const outcome = expectOk(await run(encode(text)));
        expect(outcome.count).toBe(5);
        expect(Buffer.compare(outcome.labels, reference.labels)).toBe(0);
        expect(Buffer.compare(outcome.images, reference.images)).toBe(0);
      }
    });
  }
});

describe('chunk boundaries', () => {
  const text = `\uFEFF${realCsvText(2).replaceAll('\n', '\r\n')}`;
  const bytes = encode(text);
  const reference = idxReference('train', 2);

  it('splitting the bytes in two at every offset gives the same arrays', async () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const storageOutcome = await runFastTwoChunks(bytes, cut);
      expect(storageOutcome.count, `cut at ${cut}`).toBe(2);
      expect(Buffer.compare(storageOutcome.images, reference.images), `cut at ${cut}`).toBe(0);
      expect(Buffer.compare(storageOutcome.labels, reference.labels), `cut at ${cut}`).toBe(0);
    }
  });

  it('chunks of 1, 7, 4096 bytes give the same arrays on both paths', async () => {
    for (const chunkSize of [1, 2, 3, 7, 4096]) {
      for (const run of [runFast, runPapaparse]) {
        const outcome = expectOk(await run(bytes, 'data.csv', chunkSize));
        expect(Buffer.compare(outcome.images, reference.images)).toBe(0);
        expect(Buffer.compare(outcome.labels, reference.labels)).toBe(0);
      }
    }
  });

  it('an error message is the same whatever the chunk size', async () => {
    const bad = encode(text.replace('\r\n9,', '\r\n9x9,').replace(/,0\r\n$/, ',0\r'));
    const whole = await runFast(bad, 'data.csv');
    expect(whole.kind).toBe('error');
    for (const chunkSize of [1, 5, 7, 4096]) {
      expect(await runFast(bad, 'data.csv', chunkSize)).toEqual(whole);
      expect(await runPapaparse(bad, 'data.csv', chunkSize)).toEqual(whole);
    }
  });
});

async function runFastTwoChunks(bytes: Uint8Array, cut: number) {
  const { createFastCsvParser } = await import('../../../src/data/csv-fast-parser');
  const { createSplitStorage, finishSplitStorage } =
    await import('../../../src/data/split-storage');
  const { csvRowCapacity } = await import('../../../src/data/csv-validation');
  const storage = createSplitStorage(csvRowCapacity(bytes.length));
  const parser = createFastCsvParser('data.csv', storage);
  expect(parser.push(bytes.subarray(0, cut))).toBe('continue');
  expect(parser.push(bytes.subarray(cut))).toBe('continue');
  const count = parser.finish();
  return { count, ...finishSplitStorage(storage, count) };
}

describe('quoted and padded input goes to papaparse', () => {
  const plain = realCsvText(3);
  const reference = idxReference('train', 3);
  const quoteAll = (text: string) =>
    text
      .split('\n')
      .map((line) =>
        line === ''
          ? line
          : line
              .split(',')
              .map((f) => `"${f}"`)
              .join(','),
      )
      .join('\n');
  const cases: Record<string, string> = {
    'every field quoted': quoteAll(plain),
    'spaces after commas': plain.replaceAll(',', ', '),
    'tabs around fields, CRLF': plain.replaceAll(',', '\t,\t').replaceAll('\n', '\r\n'),
    'quoted header only': plain.replace('label,pixel1', '"label","pixel1"'),
    'quote late in the file': plain.replace(/\n9,/, '\n"9",'),
  };
  for (const [name, text] of Object.entries(cases)) {
    it(`${name}: fast path hands over, papaparse gives the real arrays`, async () => {
      expect((await runFast(encode(text))).kind).toBe('fallback');
      const file = new File([text], 'fashion-mnist_train.csv');
      const loaded = await ingestCsvFile(file, file.name, 'train');
      expect(loaded.parser).toBe('papaparse');
      expect(loaded.count).toBe(3);
      expect(Buffer.compare(loaded.labels, reference.labels)).toBe(0);
      expect(Buffer.compare(loaded.images, reference.images)).toBe(0);
    });
  }
});

describe('progress', () => {
  it('reports at most once per interval of the injected clock, then a final report', async () => {
    const text = realCsvText(100);
    const bytes = encode(text);
    // Feed the file as many small chunks so the throttle has something to drop.
    const blob = new Blob(
      Array.from({ length: 50 }, (_, i) =>
        bytes.slice((i * bytes.length) / 50, ((i + 1) * bytes.length) / 50),
      ),
    );
    let clockMs = 0;
    const reports: number[] = [];
    const loaded = await ingestCsvFile(blob, 'data.csv', 'train', {
      now: () => (clockMs += 10),
      progressIntervalMs: 50,
      onProgress: (p) => reports.push(p.bytesRead),
    });
    expect(loaded.count).toBe(100);
    expect(reports.at(-1)).toBe(bytes.length);
    expect(reports.length).toBeGreaterThan(0);
    // Ticks of 10 ms against a 50 ms interval: never two reports for consecutive reads.
    expect(reports.length).toBeLessThan(loaded.count);
  });
});
