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

/**
 * Adam's (and Adamax's) running products β₁ᵗ and β₂ᵗ. tfjs's getWeights leaves them out and its
 * setWeights recomputes them as pow(β, t + 1), which differs in the last bit from the running
 * float32 product after most step counts, so a resumed run would drift from the uninterrupted
 * one. They are saved under these names beside tfjs's own entries and put back after
 * setWeights.
 */
const RUNNING_PRODUCTS = ['accBeta1', 'accBeta2'] as const;
const RUNNING_PRODUCT_PREFIX = 'running-product/';

type WithRunningProducts = Partial<Record<(typeof RUNNING_PRODUCTS)[number], tf.Variable>>;

async function toEntry(name: string, tensor: tf.Tensor): Promise<OptimizerStateEntry> {
  if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') {
    throw new Error(`Optimizer variable ${name} has unsupported dtype ${tensor.dtype}`);
  }
  const values = (await tensor.data()) as Float32Array | Int32Array;
  // Copy: the backend may hand out a view of a larger (or shared) buffer.
  const data = new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice().buffer;
  return { name, shape: [...tensor.shape], dtype: tensor.dtype, data };
}

function toTensor(entry: OptimizerStateEntry): tf.Tensor {
  return entry.dtype === 'int32'
    ? tf.tensor(new Int32Array(entry.data), entry.shape, 'int32')
    : tf.tensor(new Float32Array(entry.data), entry.shape, 'float32');
}

export async function captureOptimizerState(
  optimizer: tf.Optimizer,
): Promise<OptimizerStateEntry[]> {
  const weights = await optimizer.getWeights();
  const entries: OptimizerStateEntry[] = [];
  for (const { name, tensor } of weights) entries.push(await toEntry(name, tensor));
  // getWeights returns the optimizer's live variables plus a fresh `iter` scalar: free only
  // what is not a variable, or the optimizer loses its state.
  tf.dispose(weights.map((weight) => weight.tensor).filter((t) => !(t instanceof tf.Variable)));
  const products = optimizer as unknown as WithRunningProducts;
  for (const field of RUNNING_PRODUCTS) {
    const variable = products[field];
    if (variable) entries.push(await toEntry(`${RUNNING_PRODUCT_PREFIX}${field}`, variable));
  }
  return entries;
}

/** Loads captured slots into an optimizer of the same kind (setWeights copies them). */
export async function restoreOptimizerState(
  optimizer: tf.Optimizer,
  entries: OptimizerStateEntry[],
): Promise<void> {
  const isProduct = (entry: OptimizerStateEntry) => entry.name.startsWith(RUNNING_PRODUCT_PREFIX);
  const tensors = entries
    .filter((entry) => !isProduct(entry))
    .map((entry) => ({ name: entry.name, tensor: toTensor(entry) }));
  try {
    await optimizer.setWeights(tensors);
  } finally {
    tf.dispose(tensors.map((entry) => entry.tensor));
  }
  const products = optimizer as unknown as WithRunningProducts;
  for (const entry of entries.filter(isProduct)) {
    const variable = products[entry.name.slice(RUNNING_PRODUCT_PREFIX.length) as 'accBeta1'];
    if (!variable) continue;
    const saved = toTensor(entry);
    variable.assign(saved);
    saved.dispose();
  }
}
