/**
 * Hostile input stays harmless: a seeded mutation fuzzer (fast-check) over real CSV rows, real
 * IDX headers and data (raw and gzipped) and a real archive. Every case must settle within its
 * time bound, either as data or as an IngestError naming the file, and a rejected file must
 * leave the split loaded before it in place.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { PIXELS_PER_IMAGE } from '../../../src/config/dataset';
import { ingestArchive } from '../../../src/data/archive-ingest';
import { ingestCsvFile, ingestIdxFiles } from '../../../src/data/ingest-core';
import { IngestError, type LoadedSplit } from '../../../src/data/ingest-types';
import { datasetReducer, INITIAL_DATASET_STATE } from '../../../src/ui/dataset/dataset-state';
import { idxFile, realCsvText } from '../../support/fixtures';
import { mutate, mutationArbitrary, withinBound } from './fuzz-helpers';

/** Seed of every property here: a failure reproduces exactly. */
const SEED = 14;
const asBlob = (bytes: Uint8Array) => new Blob([bytes as BlobPart]);

/** A split loaded before the hostile file: it must survive the rejection. */
const EARLIER: LoadedSplit = {
  split: 'train',
  images: new Uint8Array(PIXELS_PER_IMAGE),
  labels: new Uint8Array(1),
  count: 1,
  sourceFiles: ['earlier.csv'],
  parser: 'fast-csv',
  elapsedMs: 1,
};

/**
 * Checks one load's outcome: data whose arrays fit its count, or an IngestError naming
 * `fileName` (what the page shows), after which the earlier split is still loaded.
 */
async function expectHarmless(load: Promise<LoadedSplit>, fileName: string): Promise<void> {
  let loaded: LoadedSplit;
  try {
    loaded = await withinBound(load, fileName);
  } catch (error) {
    if (!(error instanceof IngestError)) throw error;
    expect(error.details.fileName).toBe(fileName);
    // "file: …" for whole-file problems, "file, line 3, column pixel7: …" for a place in it.
    expect(
      [`${fileName}: `, `${fileName}, `].some((start) => error.message.startsWith(start)),
    ).toBe(true);
    const state = [
      { type: 'load-succeeded', id: 'a', loaded: EARLIER },
      { type: 'load-started', id: 'b', split: 'train', fileName, totalBytes: 1 },
      { type: 'load-failed', id: 'b', error: error.details },
    ].reduce(
      datasetReducer as (
        s: typeof INITIAL_DATASET_STATE,
        a: object,
      ) => typeof INITIAL_DATASET_STATE,
      INITIAL_DATASET_STATE,
    );
    expect(state.splits.train).toBe(EARLIER);
    return;
  }
  expect(loaded.images.length).toBe(loaded.count * PIXELS_PER_IMAGE);
  expect(loaded.labels.length).toBe(loaded.count);
  expect(loaded.labels.every((label) => label <= 9)).toBe(true);
}

const FUZZ_TIMEOUT_MS = 600_000;

describe('fuzzed CSV files', () => {
  const csv = new TextEncoder().encode(realCsvText(12));

  it(
    'real rows mutated (plain and gzipped): data or a named IngestError, never a hang',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(mutationArbitrary, { minLength: 1, maxLength: 6 }),
          fc.boolean(),
          async (mutations, isGzipped) => {
            const bytes = mutate(csv, mutations, 4096);
            const file = isGzipped ? new Uint8Array(gzipSync(bytes)) : bytes;
            const name = isGzipped ? 'fuzz.csv.gz' : 'fuzz.csv';
            await expectHarmless(ingestCsvFile(asBlob(file), name, 'train'), name);
          },
        ),
        { seed: SEED, numRuns: 1500 },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe('fuzzed IDX files', () => {
  const COUNT = 12;
  const images = new Uint8Array(
    gunzipSync(readFileSync(idxFile('t10k-images-idx3-ubyte.gz'))),
  ).slice(0, 16 + COUNT * PIXELS_PER_IMAGE);
  const labels = new Uint8Array(
    gunzipSync(readFileSync(idxFile('t10k-labels-idx1-ubyte.gz'))),
  ).slice(0, 8 + COUNT);
  // The header's count says 10,000: make it say what the cut files hold.
  new DataView(images.buffer).setUint32(4, COUNT);
  new DataView(labels.buffer).setUint32(4, COUNT);

  it(
    'real headers and data mutated (the header most), raw or gzipped: data or a named IngestError',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(mutationArbitrary, { minLength: 1, maxLength: 4 }),
          fc.array(mutationArbitrary, { maxLength: 2 }),
          fc.constantFrom('raw', 'gzipped content', 'gzip bytes'),
          async (imageMutations, labelMutations, mode) => {
            const gz = (b: Uint8Array) => new Uint8Array(gzipSync(b));
            const imageBytes =
              mode === 'raw'
                ? mutate(images, imageMutations, 16)
                : mode === 'gzipped content'
                  ? gz(mutate(images, imageMutations, 16))
                  : mutate(gz(images), imageMutations);
            const labelBytes =
              mode === 'raw'
                ? mutate(labels, labelMutations, 8)
                : gz(mutate(labels, labelMutations, 8));
            const load = ingestIdxFiles(
              asBlob(imageBytes),
              'fuzz-images-idx3-ubyte',
              asBlob(labelBytes),
              'fuzz-labels-idx1-ubyte',
              'test',
            );
            try {
              await expectHarmless(load, 'fuzz-images-idx3-ubyte');
            } catch (error) {
              // A bad labels file (or a count mismatch, reported on it) names the labels file.
              if (!(error instanceof Error) || !/fuzz-labels-idx1-ubyte/.test(error.message))
                throw error;
              const details = await load.catch((e: unknown) => (e as IngestError).details);
              expect((details as { fileName: string }).fileName).toBe('fuzz-labels-idx1-ubyte');
            }
          },
        ),
        { seed: SEED, numRuns: 800 },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe('fuzzed archives', () => {
  const zip = zipSync({
    'fashion-mnist_train.csv': new TextEncoder().encode(realCsvText(8)),
    'fashion-mnist_test.csv': new TextEncoder().encode(realCsvText(6, 'test')),
  });

  it(
    'a real archive mutated: splits, or failures and rejections that name it',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(mutationArbitrary, { minLength: 1, maxLength: 4 }),
          async (mutations) => {
            const bytes = mutate(zip, mutations);
            try {
              const result = await withinBound(
                ingestArchive(asBlob(bytes), 'fuzz.zip'),
                'fuzz.zip',
              );
              for (const failure of result.failures) expect(failure.message).toMatch(/^fuzz\.zip/);
              for (const split of result.splits) {
                expect(split.images.length).toBe(split.count * PIXELS_PER_IMAGE);
              }
            } catch (error) {
              if (!(error instanceof IngestError)) throw error;
              expect(error.message).toMatch(/^fuzz\.zip/);
            }
          },
        ),
        { seed: SEED, numRuns: 300 },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
