#!/usr/bin/env node
/**
 * Test and benchmark data: Kaggle-layout CSVs (`label,pixel1,…,pixel784`, one image a line)
 * written from the four official Fashion-MNIST IDX files into the ignored `.fixtures/` folder.
 * Plain JavaScript so that `.ci/run`, the tests and the benchmarks share this one maker.
 *
 *   node tests/support/csv-fixtures.mjs [small|subset|full …]   (default: all three)
 *
 * The IDX files are read from FASHION_MNIST_DIR, default ../shared/data/fashion-mnist (a folder
 * holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and
 * t10k-labels-idx1-ubyte.gz, gzipped or not). Rows keep the IDX order.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Folder with the four official IDX files (override with FASHION_MNIST_DIR). */
export const DATASET_DIR = resolve(
  process.env.FASHION_MNIST_DIR ?? join(PROJECT_ROOT, '../shared/data/fashion-mnist'),
);

export const FIXTURES_DIR = join(PROJECT_ROOT, '.fixtures');

/** Rows per split of each fixture set; `full` is the whole dataset (60,000 + 10,000). */
export const FIXTURE_SETS = { small: 100, subset: 2000, full: undefined };

const IDX_PREFIX = { train: 'train', test: 't10k' };
const PIXELS_PER_IMAGE = 784;
const IMAGES_MAGIC = 0x0803;
const LABELS_MAGIC = 0x0801;

/** The bytes of one official IDX file, `.gz` preferred, the raw file otherwise. */
function readIdx(name) {
  const gz = join(DATASET_DIR, `${name}.gz`);
  if (existsSync(gz)) return gunzipSync(readFileSync(gz));
  const raw = join(DATASET_DIR, name);
  if (existsSync(raw)) return readFileSync(raw);
  throw new Error(
    `Fashion-MNIST file ${name}(.gz) is not in ${DATASET_DIR}. Put the four official IDX ` +
      'files there, or point FASHION_MNIST_DIR at the folder that holds them.',
  );
}

/** Checks an IDX header and returns its item count and where the data starts. */
function idxBody(bytes, name, magic, dimensions) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== magic) throw new Error(`${name}: not an IDX file of that kind`);
  const count = view.getUint32(4);
  const offset = 4 + 4 * dimensions;
  const itemBytes = dimensions === 3 ? PIXELS_PER_IMAGE : 1;
  if (bytes.length !== offset + count * itemBytes) throw new Error(`${name}: wrong length`);
  return { count, data: bytes.subarray(offset) };
}

/** Writes one split's CSV (atomically: a half-written file never has the final name). */
async function writeSplitCsv(split, outFile, limit) {
  const prefix = IDX_PREFIX[split];
  const imagesName = `${prefix}-images-idx3-ubyte`;
  const labelsName = `${prefix}-labels-idx1-ubyte`;
  const images = idxBody(readIdx(imagesName), imagesName, IMAGES_MAGIC, 3);
  const labels = idxBody(readIdx(labelsName), labelsName, LABELS_MAGIC, 1);
  if (images.count !== labels.count) throw new Error(`${prefix}: images and labels differ`);
  const rows = Math.min(limit ?? images.count, images.count);
  const header = ['label', ...Array.from({ length: PIXELS_PER_IMAGE }, (_, i) => `pixel${i + 1}`)];
  const partial = `${outFile}.partial`;
  const out = createWriteStream(partial);
  out.write(header.join(',') + '\n');
  for (let row = 0; row < rows; row++) {
    const pixels = images.data.subarray(row * PIXELS_PER_IMAGE, (row + 1) * PIXELS_PER_IMAGE);
    const line = `${labels.data[row]},${pixels.join(',')}\n`;
    if (!out.write(line)) await new Promise((done) => out.once('drain', done));
  }
  await new Promise((done, fail) => out.end((error) => (error ? fail(error) : done())));
  renameSync(partial, outFile);
  return rows;
}

/** Paths of one fixture set's two CSVs, writing them first when missing. */
export async function ensureCsvFixture(set) {
  if (!(set in FIXTURE_SETS)) throw new Error(`Unknown fixture set "${set}"`);
  const dir = join(FIXTURES_DIR, set);
  const trainCsv = join(dir, 'fashion-mnist_train.csv');
  const testCsv = join(dir, 'fashion-mnist_test.csv');
  mkdirSync(dir, { recursive: true });
  for (const [split, file] of [
    ['train', trainCsv],
    ['test', testCsv],
  ]) {
    if (existsSync(file)) continue;
    const rows = await writeSplitCsv(split, file, FIXTURE_SETS[set]);
    console.log(`wrote ${rows} rows to ${file}`);
  }
  return { trainCsv, testCsv };
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const sets = process.argv.slice(2);
  for (const set of sets.length > 0 ? sets : Object.keys(FIXTURE_SETS)) {
    await ensureCsvFixture(set);
  }
}
