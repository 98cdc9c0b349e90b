/**
 * What the training loop does to a model's weights and optimizer outside tfjs's own step: the
 * learning rate of the next step, decoupled weight decay, and copies of all weights as plain
 * data (to keep the best epoch's weights and put them back).
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Sets the rate of the optimizer's next steps. tfjs's SGD and momentum optimizers keep it in a
 * tensor that `setLearningRate` replaces; Adam and RMSprop read their `learningRate` field on
 * every step.
 */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const settable = optimizer as unknown as {
    setLearningRate?: (rate: number) => void;
    learningRate: number;
  };
  if (typeof settable.setLearningRate === 'function') settable.setLearningRate(learningRate);
  else settable.learningRate = learningRate;
}

/** The weights decay applies to: the kernels of convolutions and dense layers. */
export function decayedWeights(model: tf.LayersModel): tf.LayerVariable[] {
  return model.trainableWeights.filter((weight) => weight.name.endsWith('/kernel'));
}

/**
 * Decoupled weight decay (AdamW, Loshchilov & Hutter): after the optimizer's step each kernel
 * shrinks by the factor 1 − learningRate · decay, apart from the gradient, so it acts the same
 * under any optimizer. Biases and BatchNorm parameters are left alone.
 */
export function applyWeightDecay(
  kernels: readonly tf.LayerVariable[],
  learningRate: number,
  decay: number,
): void {
  if (decay === 0) return;
  const factor = 1 - learningRate * decay;
  tf.tidy(() => {
    for (const kernel of kernels) kernel.write(kernel.read().mul(factor));
  });
}

/** Every weight of `model` (model.getWeights() order) as one float32 ArrayBuffer. */
export async function readWeightData(model: tf.LayersModel): Promise<ArrayBuffer> {
  const weights = model.getWeights();
  const sizes = weights.map((weight) => weight.size);
  const joined = new Float32Array(sizes.reduce((sum, size) => sum + size, 0));
  let offset = 0;
  for (const weight of weights) {
    joined.set((await weight.data()) as Float32Array, offset);
    offset += weight.size;
  }
  return joined.buffer;
}

/** Puts readWeightData's output back into `model` (the same architecture). */
export function writeWeightData(model: tf.LayersModel, data: ArrayBuffer): void {
  const values = new Float32Array(data);
  const shapes = model.getWeights().map((weight) => weight.shape);
  const total = shapes.reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);
  if (values.length !== total) {
    throw new Error(`Weight data holds ${values.length} values; the model has ${total}`);
  }
  let offset = 0;
  const tensors = shapes.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const tensor = tf.tensor(values.subarray(offset, offset + size), shape, 'float32');
    offset += size;
    return tensor;
  });
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}

/** A Dropout layer's fields this module reads and writes (tfjs-layers' Dropout has them). */
interface SeededDropout {
  seed?: number;
}

/**
 * Fresh dropout masks for seeded runs. tfjs's Dropout layer passes its fixed `seed` to every
 * call, so a seeded model would drop the same units on every step, unlike Keras, whose seeded
 * generator moves on. Before each step this gives every seeded Dropout layer a seed made from
 * (its own seed, its position, the step), so masks change from step to step and a resumed run
 * draws the same ones as an uninterrupted run. Unseeded layers are left alone (tfjs draws
 * fresh random masks for them).
 */
export class DropoutSeeds {
  private readonly layers: { layer: SeededDropout; seed: number }[];

  constructor(model: tf.LayersModel) {
    this.layers = model.layers
      .filter((layer) => layer.getClassName() === 'Dropout')
      .map((layer) => layer as unknown as SeededDropout)
      .filter((layer): layer is SeededDropout & { seed: number } => typeof layer.seed === 'number')
      .map((layer) => ({ layer, seed: layer.seed }));
  }

  /** Seeds the masks of 0-based training step `step` (counted over the whole run). */
  setStep(step: number): void {
    this.layers.forEach(({ layer, seed }, index) => {
      let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35) ^ step;
      h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
      layer.seed = (h ^ (h >>> 13)) >>> 0;
    });
  }

  /** Puts the layers' own seeds back, so the saved topology is the one the model was built with. */
  restore(): void {
    for (const { layer, seed } of this.layers) layer.seed = seed;
  }
}
