/**
 * Real Fashion-MNIST rows for the training tests, read straight from the official gzipped IDX
 * files (a tiny local reader, so these tests do not depend on src/data).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { PIXELS_PER_IMAGE } from '../../../src/config/dataset';
import type { BackendRequest, SplitArrays } from '../../../src/training/run-types';
import type { TrainingParams } from '../../../src/training/training-params';
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

/** Engine tests' common setup: the cpu backend, 48 train / 40 test real rows, conv1. */
export const CPU_BACKEND_REQUEST: BackendRequest = { preference: 'cpu', allowSoftwareWebgl: false };

export function smallEngineData(): { train: SplitArrays; test: SplitArrays } {
  return { train: loadRealSplit('train', 48), test: loadRealSplit('test', 40) };
}

/** conv1 is the cheapest real architecture; 36 training + 12 validation rows, batch 12. */
export function smallConv1Params(epochs: number): TrainingParams {
  return {
    architectureId: 'conv1',
    epochs,
    batchSize: 12,
    learningRate: 0.001,
    optimizer: 'adam',
    validationFraction: 0.25,
    seed: 5,
  };
}
