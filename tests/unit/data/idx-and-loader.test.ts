/** IDX reader on the real .gz files and corrupted copies; the loader API and its fallbacks; file names. */
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { classifyFile } from '../../../src/data/classify-file';
import { ingestIdxFiles } from '../../../src/data/ingest-core';
import { createDatasetLoader, type IngestWorkerLike } from '../../../src/data/ingest-main';
import {
  runIngestRequest,
  type IngestRequest,
  type IngestResponse,
} from '../../../src/data/ingest-shared';
import { IngestError } from '../../../src/data/ingest-types';
import { idxFile, realCsvText } from '../../support/fixtures';

const gz = (name: Parameters<typeof idxFile>[0]) => new File([readFileSync(idxFile(name))], name);

describe('classifyFile', () => {
  it('tells kind and split from the name', () => {
    expect(classifyFile('fashion-mnist_train.csv')).toEqual({
      kind: 'csv',
      split: 'train',
      isGzip: false,
    });
    expect(classifyFile('fashion-mnist_test.csv')).toEqual({
      kind: 'csv',
      split: 'test',
      isGzip: false,
    });
    expect(classifyFile('t10k-images-idx3-ubyte.gz')).toEqual({
      kind: 'idx-images',
      split: 'test',
      isGzip: true,
    });
    expect(classifyFile('train-labels-idx1-ubyte')).toEqual({
      kind: 'idx-labels',
      split: 'train',
      isGzip: false,
    });
    expect(classifyFile('mine.csv')).toEqual({ kind: 'csv', split: null, isGzip: false });
    expect(classifyFile('photo.png')).toBeNull();
  });
});

describe('IDX reader', () => {
  it('reads the real train and test .gz files', async () => {
    const train = await ingestIdxFiles(
      gz('train-images-idx3-ubyte.gz'),
      'train-images-idx3-ubyte.gz',
      gz('train-labels-idx1-ubyte.gz'),
      'train-labels-idx1-ubyte.gz',
      'train',
    );
    expect(train.count).toBe(60000);
    expect(train.images.length).toBe(60000 * 784);
    expect(train.parser).toBe('idx');
    expect(Array.from(train.labels.subarray(0, 10))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    const test = await ingestIdxFiles(
      gz('t10k-images-idx3-ubyte.gz'),
      't10k-images-idx3-ubyte.gz',
      gz('t10k-labels-idx1-ubyte.gz'),
      't10k-labels-idx1-ubyte.gz',
      'test',
    );
    expect(test.count).toBe(10000);
    expect(Array.from(test.labels.subarray(0, 10))).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
  });

  // Small raw (not gzipped) copies of the real data, cut to 50 items, to corrupt at will.
  const rawImages = () =>
    new Uint8Array(
      gunzipSync(readFileSync(idxFile('t10k-images-idx3-ubyte.gz'))).subarray(0, 16 + 50 * 784),
    );
  const rawLabels = () =>
    new Uint8Array(
      gunzipSync(readFileSync(idxFile('t10k-labels-idx1-ubyte.gz'))).subarray(0, 8 + 50),
    );
  const withCount = (bytes: Uint8Array<ArrayBuffer>, count: number) => {
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(4, count);
    return bytes;
  };
  async function idxMessage(
    images: Uint8Array<ArrayBuffer>,
    labels: Uint8Array<ArrayBuffer>,
  ): Promise<string> {
    try {
      await ingestIdxFiles(new Blob([images]), 'img', new Blob([labels]), 'lab', 'test');
    } catch (error) {
      if (error instanceof IngestError) return error.details.message;
      throw error;
    }
    return 'ok';
  }

  it('reads raw and gzipped copies alike', async () => {
    expect(await idxMessage(withCount(rawImages(), 50), withCount(rawLabels(), 50))).toBe('ok');
    const loaded = await ingestIdxFiles(
      new Blob([gzipSync(withCount(rawImages(), 50))]),
      'i',
      new Blob([withCount(rawLabels(), 50)]),
      'l',
      'test',
    );
    expect(loaded.count).toBe(50);
  });
  it('rejects corrupted files with exact messages', async () => {
    const images = () => withCount(rawImages(), 50);
    const labels = () => withCount(rawLabels(), 50);
    const swappedMagic = images();
    swappedMagic[3] = 1;
    expect(await idxMessage(swappedMagic, labels())).toBe(
      'img: expected the magic number 0x00000803 (IDX images: unsigned bytes, 3 dimensions), found 0x00000801.',
    );
    const badLabelsMagic = labels();
    badLabelsMagic[2] = 9;
    expect(await idxMessage(images(), badLabelsMagic)).toBe(
      'lab: expected the magic number 0x00000801 (IDX labels: unsigned bytes, 1 dimension), found 0x00000901.',
    );
    const badDims = images();
    new DataView(badDims.buffer).setUint32(8, 32);
    expect(await idxMessage(badDims, labels())).toBe('img: expected 28×28 images, found 32×28.');
    expect(await idxMessage(withCount(rawImages(), 49), labels())).toBe(
      'img: expected 38,416 data bytes after the header (49 images as the header says), found 39,200 bytes.',
    );
    expect(await idxMessage(withCount(rawImages(), 51), labels())).toBe(
      'img: expected 39,984 data bytes after the header (51 images as the header says), found 39,200 bytes.',
    );
    const badLabel = labels();
    badLabel[8 + 4] = 12;
    expect(await idxMessage(images(), badLabel)).toBe(
      'lab: expected labels from 0 to 9, found 12 at item 5.',
    );
    expect(await idxMessage(images(), withCount(rawLabels().subarray(0, 8 + 40), 40))).toBe(
      'img, lab: expected as many labels as images, found 50 images in img and 40 labels in lab.',
    );
    const corrupt = new Uint8Array(gzipSync(images()));
    corrupt.fill(0xff, 100, 200);
    expect(await idxMessage(corrupt, labels())).toBe(
      'img: expected a valid gzip stream, found corrupt or truncated gzip data.',
    );
    const truncated = new Uint8Array(gzipSync(images())).subarray(0, 3000);
    expect(await idxMessage(truncated, labels())).toBe(
      'img: expected a valid gzip stream, found corrupt or truncated gzip data.',
    );
    expect(await idxMessage(images().subarray(0, 10), labels())).toBe(
      'img: expected an IDX images file starting with a 16-byte header, found only 10 bytes.',
    );
  });
});

/** A worker stand-in that runs the real request handler in-process with structured cloning. */
function createInProcessWorker(): IngestWorkerLike & { transferred: number } {
  const worker = {
    transferred: 0,
    onmessage: null as IngestWorkerLike['onmessage'],
    onerror: null as IngestWorkerLike['onerror'],
    onmessageerror: null as IngestWorkerLike['onmessageerror'],
    postMessage(request: IngestRequest) {
      void runIngestRequest(request, (response: IngestResponse, transfer) => {
        worker.transferred += transfer.length;
        const data = structuredClone(response, { transfer });
        worker.onmessage?.({ data } as MessageEvent<IngestResponse>);
      });
    },
    terminate() {},
  };
  return worker;
}

describe('dataset loader', () => {
  const csv = () => new File([realCsvText(20)], 'fashion-mnist_train.csv');

  it('without Worker (Node) runs on the main thread behind the same interface', async () => {
    const loader = createDatasetLoader();
    const progress: number[] = [];
    const loaded = await loader.loadCsv(csv(), 'train', (p) => progress.push(p.rows));
    expect(loaded.count).toBe(20);
    expect(progress.at(-1)).toBe(20);
    loader.dispose();
  });
  it('through a worker: result arrays are transferred, IngestError rebuilt with its details', async () => {
    const worker = createInProcessWorker();
    const loader = createDatasetLoader({ createWorker: () => worker });
    const loaded = await loader.loadCsv(csv(), 'train', () => {});
    expect(loaded.count).toBe(20);
    expect(worker.transferred).toBe(2);
    const bad = new File([realCsvText(3).replace('\n9,', '\n19,')], 'bad.csv');
    const error = await loader.loadCsv(bad, 'train', () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IngestError);
    expect((error as IngestError).details).toMatchObject({
      fileName: 'bad.csv',
      line: 2,
      column: 'label',
    });
    loader.dispose();
  });
  it('stops the worker once idle and starts a new one for the next load', async () => {
    const made: (IngestWorkerLike & { terminated: number })[] = [];
    const loader = createDatasetLoader({
      createWorker: () => {
        const worker = Object.assign(createInProcessWorker(), {
          terminated: 0,
          terminate() {
            worker.terminated++;
          },
        });
        made.push(worker);
        return worker;
      },
      workerIdleMs: 30,
    });
    // Two loads in flight share one worker, and it outlives the first of them.
    const [a, b] = await Promise.all([
      loader.loadCsv(csv(), 'train', () => {}),
      loader.loadCsv(
        new File([realCsvText(7, 'test')], 'fashion-mnist_test.csv'),
        'test',
        () => {},
      ),
    ]);
    expect([a.count, b.count]).toEqual([20, 7]);
    expect(made).toHaveLength(1);
    expect(made[0].terminated).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(made[0].terminated).toBe(1);
    // A load right after another keeps the worker; after the idle time a new one starts.
    expect((await loader.loadCsv(csv(), 'train', () => {})).count).toBe(20);
    expect(made).toHaveLength(2);
    expect((await loader.loadCsv(csv(), 'train', () => {})).count).toBe(20);
    expect(made).toHaveLength(2);
    expect(made[1].terminated).toBe(0);
    loader.dispose();
    expect(made[1].terminated).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(made[1].terminated).toBe(1);
  });
  it('when the worker dies, pending loads finish on the main thread', async () => {
    const dying: IngestWorkerLike = {
      onmessage: null,
      onerror: null,
      onmessageerror: null,
      postMessage() {
        queueMicrotask(() => dying.onerror?.(new Event('error')));
      },
      terminate() {},
    };
    const loader = createDatasetLoader({ createWorker: () => dying });
    expect((await loader.loadCsv(csv(), 'train', () => {})).count).toBe(20);
    const throwing = createDatasetLoader({
      createWorker: () => {
        throw new Error('no workers');
      },
    });
    expect((await throwing.loadCsv(csv(), 'train', () => {})).count).toBe(20);
  });
});
