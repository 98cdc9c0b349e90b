/** Runs the two CSV paths directly on bytes, so tests can compare them outcome for outcome. */
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { createFastCsvParser } from '../../../src/data/csv-fast-parser';
import { parseCsvWithPapaparse } from '../../../src/data/csv-papaparse';
import { checkLooksLikeText, csvRowCapacity } from '../../../src/data/csv-validation';
import { IngestError, type IngestErrorDetails } from '../../../src/data/ingest-types';
import { createSplitStorage, finishSplitStorage } from '../../../src/data/split-storage';
import { idxFile } from '../../support/fixtures';

export type Outcome =
  | { kind: 'ok'; count: number; images: Uint8Array; labels: Uint8Array }
  | { kind: 'error'; details: IngestErrorDetails }
  | { kind: 'fallback' };

async function settle(run: () => Promise<Outcome> | Outcome): Promise<Outcome> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof IngestError) return { kind: 'error', details: error.details };
    throw error;
  }
}

/** The fast byte parser fed `chunkSize` bytes at a time (after the shared text sniff). */
export function runFast(
  bytes: Uint8Array,
  fileName = 'data.csv',
  chunkSize = 65536,
): Promise<Outcome> {
  return settle(() => {
    checkLooksLikeText(fileName, bytes.length, bytes.subarray(0, 4096));
    const storage = createSplitStorage(csvRowCapacity(bytes.length));
    const parser = createFastCsvParser(fileName, storage);
    for (let offset = 0; offset < bytes.length; offset += chunkSize) {
      if (parser.push(bytes.subarray(offset, offset + chunkSize)) === 'fallback') {
        return { kind: 'fallback' };
      }
    }
    const count = parser.finish();
    return { kind: 'ok', count, ...finishSplitStorage(storage, count) };
  });
}

/** The papaparse path on the same bytes, streamed in `chunkSize` pieces. */
export function runPapaparse(
  bytes: Uint8Array,
  fileName = 'data.csv',
  chunkSize = 65536,
): Promise<Outcome> {
  return settle(async () => {
    checkLooksLikeText(fileName, bytes.length, bytes.subarray(0, 4096));
    const storage = createSplitStorage(csvRowCapacity(bytes.length));
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) controller.close();
        else controller.enqueue(bytes.slice(offset, (offset += chunkSize)));
      },
    });
    const count = await parseCsvWithPapaparse(stream, fileName, storage);
    return { kind: 'ok', count, ...finishSplitStorage(storage, count) };
  });
}

export const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Images and labels of the first `count` items of the official IDX files. */
export function idxReference(split: 'train' | 'test', count: number) {
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = gunzipSync(readFileSync(idxFile(`${prefix}-images-idx3-ubyte.gz`)));
  const labels = gunzipSync(readFileSync(idxFile(`${prefix}-labels-idx1-ubyte.gz`)));
  return {
    images: new Uint8Array(images.subarray(16, 16 + count * 784)),
    labels: new Uint8Array(labels.subarray(8, 8 + count)),
  };
}
