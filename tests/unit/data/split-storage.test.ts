/**
 * The output allocation of CSV ingest: arrays grow a step at a time while rows arrive (memory
 * follows the rows read, not the file-size bound) and end exact-length on fixed buffers.
 */
import { openAsBlob } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OFFICIAL_TRAIN_COUNT, PIXELS_PER_IMAGE } from '../../../src/config/dataset';
import { createFastCsvParser } from '../../../src/data/csv-fast-parser';
import { parseCsvWithPapaparse } from '../../../src/data/csv-papaparse';
import { csvRowCapacity } from '../../../src/data/csv-validation';
import { ingestCsvFile } from '../../../src/data/ingest-core';
import {
  createSplitStorage,
  finishSplitStorage,
  GROWTH_STEP_ROWS,
  type SplitAllocation,
  type SplitStorage,
} from '../../../src/data/split-storage';
import { csvFixture, realCsvText } from '../../support/fixtures';
import { encode, idxReference } from './csv-test-helpers';

const isResizable = (bytes: Uint8Array): boolean =>
  (bytes.buffer as ArrayBuffer & { resizable?: boolean }).resizable === true;

/** Fast path over `bytes` in `chunkSize` pieces into `storage`; returns the finished arrays. */
function parseFast(bytes: Uint8Array, storage: SplitStorage, chunkSize: number) {
  const parser = createFastCsvParser('data.csv', storage);
  let fallbacks = 0;
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    // One expect per byte would dominate the run time with 1-byte chunks.
    if (parser.push(bytes.subarray(offset, offset + chunkSize)) !== 'continue') fallbacks++;
  }
  expect(fallbacks).toBe(0);
  const count = parser.finish();
  return { count, ...finishSplitStorage(storage, count) };
}

async function parsePapaparse(bytes: Uint8Array, storage: SplitStorage, chunkSize: number) {
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) controller.close();
      else controller.enqueue(bytes.slice(offset, (offset += chunkSize)));
    },
  });
  const count = await parseCsvWithPapaparse(stream, 'data.csv', storage);
  return { count, ...finishSplitStorage(storage, count) };
}

describe('growable split storage', () => {
  it('grows one step at a time up to its bound, keeping the rows written', () => {
    const storage = createSplitStorage(10, { growthStepRows: 4 });
    expect(storage.rowCapacity).toBe(4);
    expect(storage.images.length).toBe(4 * PIXELS_PER_IMAGE);
    // Only the current capacity is committed; the bound is a reservation.
    expect(storage.images.buffer.byteLength).toBe(4 * PIXELS_PER_IMAGE);
    expect((storage.images.buffer as ArrayBuffer).maxByteLength).toBe(10 * PIXELS_PER_IMAGE);
    storage.labels[3] = 7;
    storage.images[4 * PIXELS_PER_IMAGE - 1] = 200;

    expect(storage.grow()).toBe(8);
    expect(storage.labels.length).toBe(8);
    expect(storage.images.length).toBe(8 * PIXELS_PER_IMAGE);
    expect(storage.labels[3]).toBe(7);
    expect(storage.images[4 * PIXELS_PER_IMAGE - 1]).toBe(200);

    expect(storage.grow()).toBe(10);
    expect(storage.grow()).toBe(10);
    expect(storage.rowCapacity).toBe(10);
  });

  it('finishes with exact-length arrays on fixed (not resizable) buffers', () => {
    const storage = createSplitStorage(10, { growthStepRows: 4 });
    storage.grow();
    storage.labels.set([1, 2, 3, 4, 5, 6]);
    storage.images.fill(9, 0, 6 * PIXELS_PER_IMAGE);
    expect(isResizable(storage.images)).toBe(true);
    const { images, labels } = finishSplitStorage(storage, 6);
    expect(Array.from(labels)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(labels.buffer.byteLength).toBe(6);
    expect(images.buffer.byteLength).toBe(6 * PIXELS_PER_IMAGE);
    expect(images.every((v) => v === 9)).toBe(true);
    expect(isResizable(images)).toBe(false);
    expect(isResizable(labels)).toBe(false);
  });

  it('upper-bound allocation holds every row from the start and is cut to exact length', () => {
    const storage = createSplitStorage(10, { allocation: 'upper-bound' });
    expect(storage.rowCapacity).toBe(10);
    expect(storage.grow()).toBe(10);
    const { images, labels } = finishSplitStorage(storage, 3);
    expect(labels.buffer.byteLength).toBe(3);
    expect(images.buffer.byteLength).toBe(3 * PIXELS_PER_IMAGE);
  });
});

describe('CSV parsers on growable storage (real rows)', () => {
  const rowTotal = 100;
  const reference = idxReference('train', rowTotal);

  it('row counts at, just under and just over a step boundary come out exact', () => {
    for (const rows of [1, 7, 8, 9, 16, 17]) {
      const bytes = encode(realCsvText(rows));
      const storage = createSplitStorage(csvRowCapacity(bytes.length), { growthStepRows: 8 });
      const out = parseFast(bytes, storage, 65536);
      expect(out.count).toBe(rows);
      expect(out.labels.length).toBe(rows);
      expect(out.images.length).toBe(rows * PIXELS_PER_IMAGE);
      expect(Buffer.compare(out.labels, reference.labels.subarray(0, rows))).toBe(0);
      const pixels = reference.images.subarray(0, rows * PIXELS_PER_IMAGE);
      expect(Buffer.compare(out.images, pixels)).toBe(0);
    }
  });

  it('rows split across input chunks and across growth steps read the same on both paths', async () => {
    const bytes = encode(realCsvText(rowTotal));
    const bound = csvRowCapacity(bytes.length);
    // Chunk sizes that are not row multiples, so growth happens with a row half-read.
    for (const chunkSize of [1, 777, 65536]) {
      for (const growthStepRows of [1, 3, 64]) {
        const fast = parseFast(bytes, createSplitStorage(bound, { growthStepRows }), chunkSize);
        expect(fast.count).toBe(rowTotal);
        // Buffer.compare: vitest's deep equality walks 78,400 elements one by one.
        expect(Buffer.compare(fast.labels, reference.labels)).toBe(0);
        expect(Buffer.compare(fast.images, reference.images)).toBe(0);
        expect(isResizable(fast.images)).toBe(false);
        if (chunkSize === 1) continue; // papaparse per byte is slow and adds nothing here
        const papa = await parsePapaparse(
          bytes,
          createSplitStorage(bound, { growthStepRows }),
          chunkSize,
        );
        expect(papa.count).toBe(rowTotal);
        expect(Buffer.compare(papa.labels, reference.labels)).toBe(0);
        expect(Buffer.compare(papa.images, reference.images)).toBe(0);
      }
    }
  });

  it('more rows than the bound is an internal error on both allocations, not silent loss', async () => {
    const bytes = encode(realCsvText(3));
    for (const allocation of ['growable', 'upper-bound'] satisfies SplitAllocation[]) {
      expect(() =>
        parseFast(bytes, createSplitStorage(2, { allocation, growthStepRows: 1 }), 4096),
      ).toThrow('row capacity 2 exceeded');
      await expect(
        parsePapaparse(bytes, createSplitStorage(2, { allocation, growthStepRows: 1 }), 4096),
      ).rejects.toThrow('row capacity 2 exceeded');
    }
  });

  it(`the full train CSV crosses ${Math.ceil(OFFICIAL_TRAIN_COUNT / GROWTH_STEP_ROWS)} default steps and ends exact`, async () => {
    const blob = await openAsBlob(csvFixture('full').trainCsv);
    const loaded = await ingestCsvFile(blob, 'fashion-mnist_train.csv', 'train');
    expect(loaded.parser).toBe('fast-csv');
    expect(loaded.count).toBe(OFFICIAL_TRAIN_COUNT);
    expect(loaded.labels.buffer.byteLength).toBe(OFFICIAL_TRAIN_COUNT);
    expect(loaded.images.buffer.byteLength).toBe(OFFICIAL_TRAIN_COUNT * PIXELS_PER_IMAGE);
    expect(isResizable(loaded.images)).toBe(false);
    const all = idxReference('train', OFFICIAL_TRAIN_COUNT);
    expect(loaded.labels).toEqual(all.labels);
    // Whole-array equality on 47 MB is slow in the matcher; compare rows at step edges.
    for (const row of [0, GROWTH_STEP_ROWS - 1, GROWTH_STEP_ROWS, OFFICIAL_TRAIN_COUNT - 1]) {
      const at = row * PIXELS_PER_IMAGE;
      expect(loaded.images.subarray(at, at + PIXELS_PER_IMAGE)).toEqual(
        all.images.subarray(at, at + PIXELS_PER_IMAGE),
      );
    }
    expect(Buffer.compare(loaded.images, all.images)).toBe(0);
  }, 120_000);
});
