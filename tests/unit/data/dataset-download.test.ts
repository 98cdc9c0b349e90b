/**
 * The shipped sample (remade byte for byte by its script, the first images of the official
 * files) and the downloader (real files served by an injected fetch, HTTP errors, a dead
 * network, cancelling), with the downloaded files read by the same IDX reader as dropped ones.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PIXELS_PER_IMAGE } from '../../../src/config/dataset';
import {
  downloadDatasetFiles,
  DownloadError,
  OFFICIAL_DATASET,
  OFFICIAL_DATASET_ORIGIN,
  SAMPLE_DATASET,
  SAMPLE_TEST_COUNT,
  SAMPLE_TRAIN_COUNT,
  sourceBytes,
  type DownloadProgress,
} from '../../../src/data/dataset-download';
import { ingestIdxFiles } from '../../../src/data/ingest-core';
import { DATASET_DIR, PROJECT_ROOT } from '../../support/fixtures';

const PUBLIC_DIR = join(PROJECT_ROOT, 'public');
const APP_BASE_URL = 'http://localhost/app/';

/** Serves the sample from public/ and the official files from DATASET_DIR, by URL. */
function localFetch(log: string[] = []): typeof fetch {
  return async (input) => {
    const url = new URL(input instanceof Request ? input.url : input);
    log.push(url.href);
    const path = url.href.startsWith(APP_BASE_URL)
      ? join(PUBLIC_DIR, url.href.slice(APP_BASE_URL.length))
      : join(DATASET_DIR, basename(url.pathname));
    return new Response(readFileSync(path));
  };
}

/** Reads a split from downloaded files with the app's IDX reader. */
async function readSplit(files: File[], split: 'train' | 'test') {
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = files.find((f) => f.name.endsWith(`${prefix}-images-idx3-ubyte.gz`))!;
  const labels = files.find((f) => f.name.endsWith(`${prefix}-labels-idx1-ubyte.gz`))!;
  return ingestIdxFiles(images, images.name, labels, labels.name, split);
}

/** The official file's items (images or labels) after its header, gunzipped. */
function officialItems(name: string, headerBytes: number): Uint8Array {
  return gunzipSync(readFileSync(join(DATASET_DIR, name))).subarray(headerBytes);
}

describe('the shipped sample', () => {
  it('is what scripts/make-sample.mjs writes, byte for byte, in the sizes the app states', () => {
    const out = mkdtempSync(join(tmpdir(), 'fms-sample-'));
    execFileSync(process.execPath, [join(PROJECT_ROOT, 'scripts/make-sample.mjs'), '--out', out]);
    for (const file of SAMPLE_DATASET.files) {
      const committed = readFileSync(join(PUBLIC_DIR, file.url));
      expect(readFileSync(join(out, basename(file.url))).equals(committed), file.url).toBe(true);
      expect(committed.length, file.url).toBe(file.bytes);
    }
    // Under 3 MB, and not named like the full official files.
    expect(sourceBytes(SAMPLE_DATASET)).toBeLessThan(3_000_000);
    for (const file of SAMPLE_DATASET.files) expect(file.url).not.toMatch(/\.(csv|ubyte)(\.gz)?$/);
  });

  it('downloads as the first 5,000 training and 1,000 test images of the official files', async () => {
    const log: string[] = [];
    const files = await downloadDatasetFiles(SAMPLE_DATASET, {
      baseUrl: APP_BASE_URL,
      fetch: localFetch(log),
    });
    expect(log).toEqual(SAMPLE_DATASET.files.map((f) => new URL(f.url, APP_BASE_URL).href));
    const train = await readSplit(files, 'train');
    const test = await readSplit(files, 'test');
    expect([train.count, test.count]).toEqual([SAMPLE_TRAIN_COUNT, SAMPLE_TEST_COUNT]);
    const official = (name: string, header: number, count: number) =>
      officialItems(name, header).subarray(0, count);
    const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
    const perImage = PIXELS_PER_IMAGE;
    expect(
      sameBytes(
        train.images,
        official('train-images-idx3-ubyte.gz', 16, SAMPLE_TRAIN_COUNT * perImage),
      ),
    ).toBe(true);
    expect(
      sameBytes(train.labels, official('train-labels-idx1-ubyte.gz', 8, SAMPLE_TRAIN_COUNT)),
    ).toBe(true);
    expect(
      sameBytes(
        test.images,
        official('t10k-images-idx3-ubyte.gz', 16, SAMPLE_TEST_COUNT * perImage),
      ),
    ).toBe(true);
    expect(
      sameBytes(test.labels, official('t10k-labels-idx1-ubyte.gz', 8, SAMPLE_TEST_COUNT)),
    ).toBe(true);
    // Every class is in both splits, so a model trained on the sample sees all ten.
    expect(new Set(train.labels).size).toBe(10);
    expect(new Set(test.labels).size).toBe(10);
  });
});

describe('downloading the official files', () => {
  it('states their real sizes, fetches them from the raw GitHub host, and reads 60,000 + 10,000', async () => {
    for (const file of OFFICIAL_DATASET.files) {
      expect(statSync(join(DATASET_DIR, file.name)).size, file.name).toBe(file.bytes);
      expect(file.url).toBe(
        `${OFFICIAL_DATASET_ORIGIN}/zalandoresearch/fashion-mnist/master/data/fashion/${file.name}`,
      );
    }
    const progress: DownloadProgress[] = [];
    const files = await downloadDatasetFiles(OFFICIAL_DATASET, {
      fetch: localFetch(),
      onProgress: (p) => progress.push(p),
    });
    expect(files.map((f) => f.name)).toEqual(OFFICIAL_DATASET.files.map((f) => f.name));
    expect((await readSplit(files, 'train')).count).toBe(60_000);
    expect((await readSplit(files, 'test')).count).toBe(10_000);
    const total = sourceBytes(OFFICIAL_DATASET);
    expect(progress[0]).toEqual({ receivedBytes: 0, totalBytes: total });
    expect(progress.at(-1)).toEqual({ receivedBytes: total, totalBytes: total });
    const received = progress.map((p) => p.receivedBytes);
    expect(received).toEqual([...received].sort((a, b) => a - b));
  });

  it('an HTTP error names the file, the host and the status', async () => {
    const failing: typeof fetch = async (input) =>
      String(input).endsWith('t10k-images-idx3-ubyte.gz')
        ? new Response('Not Found', { status: 404, statusText: 'Not Found' })
        : localFetch()(input);
    const error = await downloadDatasetFiles(OFFICIAL_DATASET, { fetch: failing }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as DownloadError).message).toBe(
      't10k-images-idx3-ubyte.gz: raw.githubusercontent.com answered HTTP 404 Not Found instead of the file.',
    );
  });

  it('a network failure says so; a cancelled download rejects with the abort', async () => {
    const offline: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(downloadDatasetFiles(OFFICIAL_DATASET, { fetch: offline })).rejects.toThrow(
      'train-images-idx3-ubyte.gz: could not be downloaded from raw.githubusercontent.com (the network request failed; is the computer offline?).',
    );
    const controller = new AbortController();
    const abortable: typeof fetch = async (_input, init) => {
      controller.abort();
      init?.signal?.throwIfAborted();
      throw new Error('not reached');
    };
    const error = await downloadDatasetFiles(OFFICIAL_DATASET, {
      fetch: abortable,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(DownloadError);
    expect((error as Error).name).toBe('AbortError');
  });
});
