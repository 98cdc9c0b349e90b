/**
 * Optimizer slots (Adam's moments, momentum accumulators, the step counter) as plain data for
 * checkpoints, and back. Whoever resumes a run builds the same optimizer kind first, then
 * restores into it.
 */
import * as tf from '@tensorflow/tfjs';

/** One optimizer variable; `data` holds prod(shape) values of `dtype`, little-endian. */
export interface OptimizerStateEntry {
  /** tfjs's name, e.g. `iter` or `conv2d_Conv2D1/kernel/m`. */
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: ArrayBuffer;
}

export async function captureOptimizerState(
  optimizer: tf.Optimizer,
): Promise<OptimizerStateEntry[]> {
  const weights = await optimizer.getWeights();
  const entries: OptimizerStateEntry[] = [];
  for (const { name, tensor } of weights) {
    if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') {
      throw new Error(`Optimizer variable ${name} has unsupported dtype ${tensor.dtype}`);
    }
    const values = (await tensor.data()) as Float32Array | Int32Array;
    // Copy: the backend may hand out a view of a larger (or shared) buffer.
    const data = new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice().buffer;
    entries.push({ name, shape: [...tensor.shape], dtype: tensor.dtype, data });
  }
  // getWeights returns the optimizer's live variables plus a fresh `iter` scalar: free only
  // what is not a variable, or the optimizer loses its state.
  tf.dispose(weights.map((weight) => weight.tensor).filter((t) => !(t instanceof tf.Variable)));
  return entries;
}

/** Loads captured slots into an optimizer of the same kind (setWeights copies them). */
export async function restoreOptimizerState(
  optimizer: tf.Optimizer,
  entries: OptimizerStateEntry[],
): Promise<void> {
  const tensors = entries.map((entry) => ({
    name: entry.name,
    tensor:
      entry.dtype === 'int32'
        ? tf.tensor(new Int32Array(entry.data), entry.shape, 'int32')
        : tf.tensor(new Float32Array(entry.data), entry.shape, 'float32'),
  }));
  try {
    await optimizer.setWeights(tensors);
  } finally {
    tf.dispose(tensors.map((entry) => entry.tensor));
  }
}
