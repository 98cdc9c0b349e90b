#!/usr/bin/env node
/**
 * Writes the sample the app ships for "Try it with a sample": the first SAMPLE_TRAIN_COUNT
 * training and SAMPLE_TEST_COUNT test images of the official Fashion-MNIST IDX files, with their
 * labels, as gzipped IDX files in public/sample/. It is the one piece of the dataset the
 * repository holds; this script remakes it byte for byte.
 *
 *   node scripts/make-sample.mjs [--out DIR]   (default: public/sample)
 *
 * The official files are read from FASHION_MNIST_DIR, default ../shared/data/fashion-mnist
 * (the folder the tests read too). The names end in `.gz` but not in `-ubyte.gz`, so they are
 * not taken for the full official files; the app names them when it loads them.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DATASET_DIR, PROJECT_ROOT } from '../tests/support/csv-fixtures.mjs';

const SAMPLE_TRAIN_COUNT = 5000;
const SAMPLE_TEST_COUNT = 1000;
const SAMPLE_DIR = join(PROJECT_ROOT, 'public', 'sample');

/** Official file → sample file, and how many items the sample keeps. */
const SAMPLE_FILES = [
  {
    official: 'train-images-idx3-ubyte.gz',
    sample: 'train-images-idx3.sample.gz',
    count: SAMPLE_TRAIN_COUNT,
  },
  {
    official: 'train-labels-idx1-ubyte.gz',
    sample: 'train-labels-idx1.sample.gz',
    count: SAMPLE_TRAIN_COUNT,
  },
  {
    official: 't10k-images-idx3-ubyte.gz',
    sample: 't10k-images-idx3.sample.gz',
    count: SAMPLE_TEST_COUNT,
  },
  {
    official: 't10k-labels-idx1-ubyte.gz',
    sample: 't10k-labels-idx1.sample.gz',
    count: SAMPLE_TEST_COUNT,
  },
];

const BYTES_PER_ITEM = { 3: 28 * 28, 1: 1 };

/**
 * The first `count` items of an IDX file (bytes, not gzipped): the same header with the item
 * count changed, then the items' bytes.
 */
function truncateIdx(bytes, count, name) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const dimensions = magic & 0xff;
  if (magic >>> 8 !== 0x08 || !(dimensions in BYTES_PER_ITEM)) {
    throw new Error(`${name}: not an IDX file of unsigned bytes (magic 0x${magic.toString(16)})`);
  }
  const available = view.getUint32(4);
  if (count > available) throw new Error(`${name}: has ${available} items, not ${count}`);
  const headerBytes = 4 + 4 * dimensions;
  const out = new Uint8Array(headerBytes + count * BYTES_PER_ITEM[dimensions]);
  out.set(bytes.subarray(0, out.length));
  new DataView(out.buffer).setUint32(4, count);
  return out;
}

function main() {
  const outFlag = process.argv.indexOf('--out');
  const outDir = outFlag > 0 ? resolve(process.argv[outFlag + 1]) : SAMPLE_DIR;
  mkdirSync(outDir, { recursive: true });
  let total = 0;
  for (const { official, sample, count } of SAMPLE_FILES) {
    const bytes = gunzipSync(readFileSync(join(DATASET_DIR, official)));
    // Level 9 and zlib's fixed header (no name, mtime 0): the same bytes on every run.
    const gz = gzipSync(truncateIdx(bytes, count, official), { level: 9 });
    writeFileSync(join(outDir, sample), gz);
    total += gz.length;
    console.log(`${sample}: ${count} items, ${gz.length} bytes`);
  }
  console.log(`sample: ${total} bytes in ${outDir}`);
}

main();
