/**
 * The files people actually have: Kaggle's archive.zip (built here from the real rows and the
 * real IDX files, never committed), gzipped CSVs, and a split given twice at once.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ingestArchive } from '../../../src/data/archive-ingest';
import { planDatasetSources } from '../../../src/data/dataset-sources';
import { ingestCsvFile } from '../../../src/data/ingest-core';
import { createDatasetLoader, type IngestWorkerLike } from '../../../src/data/ingest-main';
import {
  runIngestRequest,
  type IngestRequest,
  type IngestResponse,
} from '../../../src/data/ingest-shared';
import { IngestError } from '../../../src/data/ingest-types';
import { updateCrc32 } from '../../../src/data/zip-archive';
import { listZipEntries } from '../../../src/data/zip-directory';
import { idxFile, realCsvText } from '../../support/fixtures';

const text = (s: string) => new TextEncoder().encode(s);
const trainCsv = () => text(realCsvText(100));
const testCsv = () => text(realCsvText(60, 'test'));
const rawIdx = (name: Parameters<typeof idxFile>[0]) =>
  new Uint8Array(gunzipSync(readFileSync(idxFile(name))));

let kaggleZip: Uint8Array | undefined;

/** Kaggle's layout: both CSVs and the four uncompressed IDX files, deflated (made once). */
function kaggleArchive(): Uint8Array {
  return (kaggleZip ??= zipSync({
    'fashion-mnist_test.csv': testCsv(),
    'fashion-mnist_train.csv': trainCsv(),
    't10k-images-idx3-ubyte': rawIdx('t10k-images-idx3-ubyte.gz'),
    't10k-labels-idx1-ubyte': rawIdx('t10k-labels-idx1-ubyte.gz'),
    'train-labels-idx1-ubyte': rawIdx('train-labels-idx1-ubyte.gz'),
    'train-images-idx3-ubyte': rawIdx('train-images-idx3-ubyte.gz'),
  }));
}

const asBlob = (bytes: Uint8Array) => new Blob([bytes as BlobPart]);

async function rejection(promise: Promise<unknown>): Promise<IngestError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IngestError);
  return error as IngestError;
}

describe('Kaggle archive.zip', () => {
  it('reads both splits from the CSVs, equal to the CSVs read alone, and says what it ignored', async () => {
    const result = await ingestArchive(asBlob(kaggleArchive()), 'archive.zip');
    expect(result.failures).toEqual([]);
    const bySplit = Object.fromEntries(result.splits.map((s) => [s.split, s]));
    const alone = await ingestCsvFile(asBlob(trainCsv()), 'fashion-mnist_train.csv', 'train');
    expect(bySplit.train.count).toBe(100);
    expect(bySplit.train.images).toEqual(alone.images);
    expect(bySplit.train.labels).toEqual(alone.labels);
    expect(bySplit.train.sourceFiles).toEqual(['archive.zip/fashion-mnist_train.csv']);
    expect(bySplit.test.count).toBe(60);
    expect(result.notes).toEqual([
      'In archive.zip: Training set: used fashion-mnist_train.csv; ignored train-images-idx3-ubyte and train-labels-idx1-ubyte (when a split comes both as CSV and as IDX files, the CSV is used).',
      'In archive.zip: Test set: used fashion-mnist_test.csv; ignored t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (when a split comes both as CSV and as IDX files, the CSV is used).',
    ]);
  });

  it('reads IDX entries (gzipped, in a folder) when there is no CSV, and ignores other files', async () => {
    const zip = zipSync(
      {
        'fashion/train-images-idx3-ubyte.gz': readFileSync(idxFile('train-images-idx3-ubyte.gz')),
        'fashion/train-labels-idx1-ubyte.gz': readFileSync(idxFile('train-labels-idx1-ubyte.gz')),
        'fashion/README.md': text('# Fashion-MNIST'),
      },
      { level: 0 },
    );
    const result = await ingestArchive(asBlob(zip), 'fashion.zip');
    expect(result.splits.map((s) => [s.split, s.count, s.parser])).toEqual([
      ['train', 60000, 'idx'],
    ]);
    expect(Array.from(result.splits[0].labels.subarray(0, 4))).toEqual([9, 0, 0, 3]);
    expect(result.notes).toEqual(['Ignored one other file in fashion.zip: fashion/README.md.']);
  });

  it('a damaged entry fails its own split, named, and the other split still loads', async () => {
    const zip = zipSync({
      'fashion-mnist_train.csv': trainCsv(),
      'fashion-mnist_test.csv': testCsv(),
    });
    const entries = await listZipEntries(asBlob(zip), 'archive.zip');
    const train = entries.find((e) => e.path === 'fashion-mnist_train.csv')!;
    const damaged = zip.slice();
    const middle = train.localHeaderOffset + 30 + train.path.length + (train.compressedBytes >> 1);
    for (let i = 0; i < 16; i++) damaged[middle + i] ^= 0x5a;
    const result = await ingestArchive(asBlob(damaged), 'archive.zip');
    expect(result.splits.map((s) => s.split)).toEqual(['test']);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0].fileName).toBe('archive.zip/fashion-mnist_train.csv');
    expect(result.failures[0].message).toMatch(
      /^archive\.zip\/fashion-mnist_train\.csv: expected .*(checksum|compressed data).*, found .*\.$/,
    );
  });

  it('a truncated, an unrelated and a non-ZIP file are each rejected by name', async () => {
    const zip = kaggleArchive();
    const truncated = await rejection(
      ingestArchive(asBlob(zip.subarray(0, zip.length >> 1)), 'archive.zip'),
    );
    expect(truncated.message).toBe(
      'archive.zip: expected a ZIP archive (its directory of files at the end of the file), found a damaged or truncated ZIP file (its directory is missing).',
    );
    const unrelated = await rejection(
      ingestArchive(
        asBlob(zipSync({ 'notes.txt': text('hello'), 'cat.png': text('png') })),
        'photos.zip',
      ),
    );
    expect(unrelated.message).toBe(
      'photos.zip: expected the Fashion-MNIST files (fashion-mnist_train.csv and fashion-mnist_test.csv, or the IDX files such as train-images-idx3-ubyte), found only notes.txt, cat.png.',
    );
    const notZip = await rejection(ingestArchive(asBlob(trainCsv()), 'renamed.zip'));
    expect(notZip.message).toBe(
      'renamed.zip: expected a ZIP archive (its directory of files at the end of the file), found a file that is not a ZIP archive.',
    );
  });

  it('crosses the worker boundary: splits transferred, notes kept', async () => {
    let transferred = 0;
    const worker: IngestWorkerLike = {
      onmessage: null,
      onerror: null,
      onmessageerror: null,
      postMessage(request: IngestRequest) {
        void runIngestRequest(request, (response: IngestResponse, transfer) => {
          transferred += transfer.length;
          worker.onmessage?.({
            data: structuredClone(response, { transfer }),
          } as MessageEvent<IngestResponse>);
        });
      },
      terminate() {},
    };
    const loader = createDatasetLoader({ createWorker: () => worker });
    const result = await loader.loadArchive(
      new File([kaggleArchive() as BlobPart], 'archive.zip'),
      () => {},
    );
    expect(result.splits.map((s) => [s.split, s.count])).toEqual([
      ['train', 100],
      ['test', 60],
    ]);
    expect(transferred).toBe(4);
    expect(result.notes).toHaveLength(2);
    loader.dispose();
  });

  it('reads only the splits asked for: the others are neither inflated nor noted', async () => {
    const inflated: string[] = [];
    const result = await ingestArchive(
      asBlob(kaggleArchive()),
      'archive.zip',
      { onProgress: (p) => void (inflated.includes(p.fileName) || inflated.push(p.fileName)) },
      ['test'],
    );
    expect(result.splits.map((s) => [s.split, s.count])).toEqual([['test', 60]]);
    expect(inflated).toEqual(['archive.zip/fashion-mnist_test.csv']);
    expect(result.notes).toEqual([
      'In archive.zip: Test set: used fashion-mnist_test.csv; ignored t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (when a split comes both as CSV and as IDX files, the CSV is used).',
    ]);
  });

  it('computes the CRC-32 ZIP files carry', () => {
    expect(updateCrc32(0, text('123456789'))).toBe(0xcbf43926);
  });
});

describe('gzipped CSV', () => {
  it('fashion-mnist_train.csv.gz reads as the CSV does', async () => {
    const gz = gzipSync(trainCsv());
    const fromGz = await ingestCsvFile(asBlob(gz), 'fashion-mnist_train.csv.gz', 'train');
    const plain = await ingestCsvFile(asBlob(trainCsv()), 'fashion-mnist_train.csv', 'train');
    expect(fromGz.count).toBe(100);
    expect(fromGz.images).toEqual(plain.images);
    expect(fromGz.labels).toEqual(plain.labels);
  });

  it('a truncated .csv.gz is rejected by name', async () => {
    const gz = gzipSync(trainCsv());
    const error = await rejection(
      ingestCsvFile(asBlob(gz.subarray(0, gz.length >> 1)), 'fashion-mnist_train.csv.gz', 'train'),
    );
    expect(error.message).toBe(
      'fashion-mnist_train.csv.gz: expected a valid gzip stream, found corrupt or truncated gzip data.',
    );
  });
});

describe('one split given twice', () => {
  const named = (...names: string[]) => names.map((name) => ({ name, item: name }));

  it('two training CSVs: asked, never silently dropped', () => {
    const plan = planDatasetSources(
      named('a/fashion-mnist_train.csv', 'b/fashion-mnist_train.csv'),
      'ask',
    );
    expect(plan.chosen).toEqual([]);
    expect(plan.conflicts).toHaveLength(1);
    expect(plan.conflicts[0].split).toBe('train');
    expect(plan.conflicts[0].options.map((o) => (o.kind === 'csv' ? o.csv.name : ''))).toEqual([
      'a/fashion-mnist_train.csv',
      'b/fashion-mnist_train.csv',
    ]);
  });

  it('a CSV and the IDX pair of the same split: the CSV is used, and the note says so', () => {
    const plan = planDatasetSources(
      named('train-images-idx3-ubyte.gz', 'fashion-mnist_train.csv', 'train-labels-idx1-ubyte.gz'),
      'ask',
    );
    expect(plan.chosen.map((c) => [c.split, c.source.kind])).toEqual([['train', 'csv']]);
    expect(plan.notes).toEqual([
      'Training set: used fashion-mnist_train.csv; ignored train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz (when a split comes both as CSV and as IDX files, the CSV is used).',
    ]);
  });

  it("'first' takes the first and names the others", () => {
    const plan = planDatasetSources(
      named('x/fashion-mnist_test.csv', 'y/fashion-mnist_test.csv'),
      'first',
    );
    expect(plan.notes).toEqual([
      'Test set: used x/fashion-mnist_test.csv, the first of 2 sources for it; ignored y/fashion-mnist_test.csv.',
    ]);
  });
});
