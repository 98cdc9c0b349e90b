/**
 * Real Fashion-MNIST rows for the training tests, read straight from the official gzipped IDX
 * files (a tiny local reader, so these tests do not depend on src/data).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { PIXELS_PER_IMAGE } from '../../../src/config/dataset';
import type { SplitArrays } from '../../../src/training/training-protocol';
import { idxFile } from '../../support/fixtures';

const IDX_IMAGES_HEADER_BYTES = 16;
const IDX_LABELS_HEADER_BYTES = 8;

const cache = new Map<string, Uint8Array>();

function gunzipCached(path: string): Uint8Array {
  let bytes = cache.get(path);
  if (!bytes) {
    bytes = new Uint8Array(gunzipSync(readFileSync(path)));
    cache.set(path, bytes);
  }
  return bytes;
}

/** The first `count` rows of the real train or test split (copies, safe to transfer). */
export function loadRealSplit(split: 'train' | 'test', count: number): SplitArrays {
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = gunzipCached(idxFile(`${prefix}-images-idx3-ubyte.gz`));
  const labels = gunzipCached(idxFile(`${prefix}-labels-idx1-ubyte.gz`));
  return {
    images: images.slice(
      IDX_IMAGES_HEADER_BYTES,
      IDX_IMAGES_HEADER_BYTES + count * PIXELS_PER_IMAGE,
    ),
    labels: labels.slice(IDX_LABELS_HEADER_BYTES, IDX_LABELS_HEADER_BYTES + count),
  };
}
