/**
 * Real Fashion-MNIST training rows for the Node benchmarks (bench/conv-gradient-node.ts,
 * bench/training-profile-node.ts), read from the shared dataset's IDX files.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { idxFile } from '../tests/support/fixtures';

const IDX_IMAGES_HEADER_BYTES = 16;
const IDX_LABELS_HEADER_BYTES = 8;
const PIXELS_PER_IMAGE = 784;

/** The first `count` training rows: xs float32 [n, 28, 28, 1] in [0, 1], ys one-hot [n, 10]. */
export function loadRealBatch(count: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const images = gunzipSync(readFileSync(idxFile('train-images-idx3-ubyte.gz')));
  const labels = gunzipSync(readFileSync(idxFile('train-labels-idx1-ubyte.gz')));
  const pixels = images.subarray(
    IDX_IMAGES_HEADER_BYTES,
    IDX_IMAGES_HEADER_BYTES + count * PIXELS_PER_IMAGE,
  );
  const classIds = labels.subarray(IDX_LABELS_HEADER_BYTES, IDX_LABELS_HEADER_BYTES + count);
  return tf.tidy(() => ({
    xs: tf.tensor4d(
      Float32Array.from(pixels, (p) => p / 255),
      [count, 28, 28, 1],
    ),
    ys: tf.oneHot(tf.tensor1d(Int32Array.from(classIds), 'int32'), 10) as tf.Tensor2D,
  }));
}
