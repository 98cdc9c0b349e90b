/**
 * The layers of the six architectures as plain data: kind, explicit name and size, in order.
 * architectures.ts builds the tfjs models from this table, and the export (src/export/) writes
 * the same layers as PyTorch and Keras code, so a model means the same thing everywhere.
 * No TensorFlow.js here.
 *
 * Initialisation is Keras' default: Glorot-uniform kernels, zero biases, BatchNorm momentum
 * 0.99 and epsilon 1e-3. Dropout placement (the seed CNN has dropout after each pooling block
 * and after Dense256): architectures 1–5 put Dropout 0.1 after the first pooling layer, 0.3
 * after the second one where there is one, and 0.5 after Dense256, i.e. the seed's rates at the
 * seed's positions. Dropout has no parameters, so the counts in the table are unaffected.
 */
import { NUM_CLASSES } from '../config/dataset';
import type { ArchitectureId } from './architecture-catalog';

/** Every convolution is 3 × 3, stride 1, ReLU. */
export const CONV_KERNEL_SIZE_PX = 3;
/** Keras' BatchNormalization defaults (PyTorch's momentum for the same is 1 − 0.99 = 0.01). */
export const BATCH_NORM_MOMENTUM = 0.99;
export const BATCH_NORM_EPSILON = 1e-3;

export type ConvPadding = 'same' | 'valid';

/** One layer; `name` is stable and explicit (the tensorflowjs converter needs that). */
export type LayerSpec =
  | { kind: 'batchnorm'; name: string }
  | { kind: 'conv'; name: string; filters: number; padding: ConvPadding }
  | { kind: 'maxpool'; name: string; sizePx: number }
  | { kind: 'dropout'; name: string; rate: number }
  | { kind: 'flatten'; name: string }
  | { kind: 'dense'; name: string; units: number; activation: 'relu' | 'softmax' };

const batchNorm = (name: string): LayerSpec => ({ kind: 'batchnorm', name });
const conv = (name: string, filters: number, padding: ConvPadding): LayerSpec => ({
  kind: 'conv',
  name,
  filters,
  padding,
});
const pool = (name: string, sizePx: number): LayerSpec => ({ kind: 'maxpool', name, sizePx });
const dropout = (name: string, rate: number): LayerSpec => ({ kind: 'dropout', name, rate });

/** Flatten → Dense256 → Dropout 0.5 → Dense64 [→ BatchNorm] → Dense10 softmax. */
function head(withBatchNorm: boolean): LayerSpec[] {
  return [
    { kind: 'flatten', name: 'flatten' },
    { kind: 'dense', name: 'dense_256', units: 256, activation: 'relu' },
    dropout('dropout_head', 0.5),
    { kind: 'dense', name: 'dense_64', units: 64, activation: 'relu' },
    ...(withBatchNorm ? [batchNorm('batchnorm_head')] : []),
    { kind: 'dense', name: 'predictions', units: NUM_CLASSES, activation: 'softmax' },
  ];
}

/** The layers of each architecture, input first. */
export const ARCHITECTURE_LAYERS: Readonly<Record<ArchitectureId, readonly LayerSpec[]>> = {
  conv1: [conv('conv1', 64, 'valid'), pool('pool1', 4), dropout('dropout1', 0.1), ...head(false)],
  conv2: [
    conv('conv1', 64, 'valid'),
    conv('conv2', 64, 'valid'),
    pool('pool1', 4),
    dropout('dropout1', 0.1),
    ...head(false),
  ],
  'conv2-pool2': [
    conv('conv1', 64, 'same'),
    pool('pool1', 2),
    dropout('dropout1', 0.1),
    conv('conv2', 64, 'same'),
    pool('pool2', 2),
    dropout('dropout2', 0.3),
    ...head(false),
  ],
  'conv3-pool2': [
    conv('conv1', 64, 'same'),
    conv('conv2', 64, 'same'),
    pool('pool1', 2),
    dropout('dropout1', 0.1),
    conv('conv3', 64, 'same'),
    pool('pool2', 2),
    dropout('dropout2', 0.3),
    ...head(false),
  ],
  'conv3-pool2-bn': [
    batchNorm('batchnorm_input'),
    conv('conv1', 64, 'same'),
    conv('conv2', 64, 'same'),
    pool('pool1', 2),
    dropout('dropout1', 0.1),
    conv('conv3', 64, 'same'),
    pool('pool2', 2),
    dropout('dropout2', 0.3),
    ...head(true),
  ],
  'seed-cnn': [
    batchNorm('batchnorm_input'),
    conv('conv1', 64, 'same'),
    conv('conv2', 64, 'same'),
    pool('pool1', 2),
    dropout('dropout1', 0.1),
    conv('conv3', 32, 'same'),
    conv('conv4', 32, 'same'),
    pool('pool2', 2),
    dropout('dropout2', 0.3),
    ...head(true),
  ],
};

/** The tfjs/Keras model name of an architecture (`seed-cnn` → `seed_cnn`). */
export function modelNameOf(id: ArchitectureId): string {
  return id.replace(/-/g, '_');
}
