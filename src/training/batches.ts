/**
 * Turning the uint8 dataset into per-step batches: the validation split, a seeded shuffle and a
 * reused gather buffer. Only one batch at a time ever becomes a tensor, so memory stays at
 * batch size no matter how large the training file is.
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE_PX, MAX_PIXEL_VALUE, NUM_CLASSES, PIXELS_PER_IMAGE } from '../config/dataset';
import { augmentationOf, augmentImage, isAugmenting, type AugmentSettings } from './augment';
import type { SplitArrays } from './run-types';

/** Number of images in a split (labels are the authority; images must match). */
export function splitLength(split: SplitArrays): number {
  const count = split.labels.length;
  if (split.images.length !== count * PIXELS_PER_IMAGE) {
    throw new Error(
      `Split has ${count} labels but ${split.images.length} pixels (expected ${count * PIXELS_PER_IMAGE})`,
    );
  }
  return count;
}

/**
 * Keras `validation_split`: the last `validationFraction` of the rows, before any shuffling,
 * with the split point `int(n * (1 - fraction))` (60,000 × 0.2 → 48,000 / 12,000;
 * 1,024 × 0.2 → 819 / 205). Both halves are views, not copies.
 */
export function splitForValidation(
  data: SplitArrays,
  validationFraction: number,
): { train: SplitArrays; validation: SplitArrays } {
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new Error(`Validation fraction must be in [0, 1), got ${validationFraction}`);
  }
  const count = splitLength(data);
  const trainCount = Math.trunc(count * (1 - validationFraction));
  const cut = trainCount * PIXELS_PER_IMAGE;
  return {
    train: { images: data.images.subarray(0, cut), labels: data.labels.subarray(0, trainCount) },
    validation: { images: data.images.subarray(cut), labels: data.labels.subarray(trainCount) },
  };
}

/** A seeded PRNG (mulberry32): uniform floats in [0, 1), same sequence for the same seed. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates, in place. */
export function shuffleInPlace(indices: Uint32Array, random: () => number): void {
  for (let i = indices.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = indices[i];
    indices[i] = indices[j];
    indices[j] = swap;
  }
}

/**
 * The row order of one epoch: a permutation of 0…count−1 that depends only on (seed, epoch),
 * written into `order`. Not one PRNG stream across epochs, so a run resumed at epoch k from a
 * checkpoint visits the rows exactly as the uninterrupted run would have.
 */
export function fillEpochOrder(order: Uint32Array, seed: number, epoch: number): void {
  for (let i = 0; i < order.length; i++) order[i] = i;
  // Golden-ratio step keeps the per-epoch seeds of nearby (seed, epoch) pairs far apart.
  shuffleInPlace(order, createRandom((seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0));
}

/** A random 32-bit seed for runs the user did not seed. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0x1_0000_0000) >>> 0;
}

/** One batch as tensors; the caller disposes both. */
export interface BatchTensors {
  /** float32 [n, 28, 28, 1] in [0, 1]. */
  xs: tf.Tensor4D;
  /** float32 [n, 10], one-hot (smoothed when the gatherer smooths labels). */
  ys: tf.Tensor2D;
}

/** How the training batches of one epoch are augmented (augment.ts). */
export interface EpochAugmentation {
  settings: AugmentSettings;
  /** The run's shuffle seed, which also seeds the augmentation. */
  seed: number;
  epoch: number;
}

export interface BatchGathererOptions {
  /** ε of label smoothing: targets (1 − ε) · one-hot + ε / 10 (default 0). */
  labelSmoothing?: number;
}

/**
 * Gathers rows of a split into buffers allocated once, so a training step allocates nothing
 * on the JS heap besides the tensors themselves.
 */
export class BatchGatherer {
  private readonly pixels: Uint8Array;
  private readonly labels: Int32Array;
  private readonly scratch = new Uint8Array(PIXELS_PER_IMAGE);
  private readonly labelSmoothing: number;

  constructor(
    private readonly split: SplitArrays,
    readonly maxBatchSize: number,
    options: BatchGathererOptions = {},
  ) {
    this.pixels = new Uint8Array(maxBatchSize * PIXELS_PER_IMAGE);
    this.labels = new Int32Array(maxBatchSize);
    this.labelSmoothing = options.labelSmoothing ?? 0;
  }

  /**
   * Tensors for the rows `rowIndices` (at most maxBatchSize of them), each image augmented as
   * `augmentation` says for its row.
   */
  gather(rowIndices: ArrayLike<number>, augmentation?: EpochAugmentation): BatchTensors {
    const count = rowIndices.length;
    if (count > this.maxBatchSize) throw new Error(`Batch of ${count} > ${this.maxBatchSize}`);
    const isAugmented = augmentation !== undefined && isAugmenting(augmentation.settings);
    for (let i = 0; i < count; i++) {
      const row = rowIndices[i];
      const start = row * PIXELS_PER_IMAGE;
      const offset = i * PIXELS_PER_IMAGE;
      this.pixels.set(this.split.images.subarray(start, start + PIXELS_PER_IMAGE), offset);
      this.labels[i] = this.split.labels[row];
      if (isAugmented) {
        const { settings, seed, epoch } = augmentation;
        augmentImage(this.pixels, offset, augmentationOf(settings, seed, epoch, row), this.scratch);
      }
    }
    return this.toTensors(count);
  }

  /** Tensors for the contiguous rows [start, start + count), e.g. for evaluation. */
  gatherRange(start: number, count: number): BatchTensors {
    if (count > this.maxBatchSize) throw new Error(`Batch of ${count} > ${this.maxBatchSize}`);
    this.pixels.set(
      this.split.images.subarray(start * PIXELS_PER_IMAGE, (start + count) * PIXELS_PER_IMAGE),
    );
    this.labels.set(this.split.labels.subarray(start, start + count));
    return this.toTensors(count);
  }

  private toTensors(count: number): BatchTensors {
    const pixels = this.pixels.subarray(0, count * PIXELS_PER_IMAGE);
    const labels = this.labels.subarray(0, count);
    return tf.tidy(() => {
      // tfjs copies the typed array into its own storage, so reusing the buffer is safe.
      const raw = tf.tensor4d(pixels, [count, IMAGE_SIZE_PX, IMAGE_SIZE_PX, 1], 'int32');
      const xs = raw.toFloat().div(MAX_PIXEL_VALUE) as tf.Tensor4D;
      const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), NUM_CLASSES).toFloat();
      const smoothing = this.labelSmoothing;
      const ys = (
        smoothing > 0 ? oneHot.mul(1 - smoothing).add(smoothing / NUM_CLASSES) : oneHot
      ) as tf.Tensor2D;
      return { xs, ys };
    });
  }
}
