/**
 * The seven-layer seed CNN and the six architectures of the seed project's experiment table,
 * as pure factories. Every layer has an explicit, stable name so that a saved model converts
 * to Keras with the tensorflowjs converter (auto-generated names break that conversion).
 *
 * Initialisation is Keras' default: Glorot-uniform kernels, zero biases, BatchNorm momentum
 * 0.99 and epsilon 1e-3 (tfjs layers already default to these; they are written out so a
 * change of tfjs defaults cannot silently change the models).
 *
 * Dropout placement (the seed CNN has dropout after each pooling block and after Dense256):
 * architectures 1–5 put Dropout 0.1 after the first pooling layer, 0.3 after the second one
 * where there is one, and 0.5 after Dense256, i.e. the seed's rates at the seed's positions.
 * Dropout has no parameters, so the counts in the table are unaffected.
 */
import * as tf from '@tensorflow/tfjs';
import { INPUT_SHAPE, NUM_CLASSES } from '../config/dataset';
import type { ArchitectureId } from './architecture-catalog';

export type { ArchitectureId } from './architecture-catalog';

/** Options a caller may set; configuration is an argument, never module state. */
export interface ArchitectureOptions {
  /** Seed for the Glorot-uniform initialisers, for repeatable runs. Unset: random. */
  seed?: number;
}

const KERNEL_3X3: [number, number] = [3, 3];
const BN_MOMENTUM = 0.99;
const BN_EPSILON = 1e-3;

type Builder = (b: LayerFactory) => tf.layers.Layer[];

/** Builds the named layers of the architectures, with initialiser seeds that make a seeded model repeatable. */
class LayerFactory {
  private seedCounter = 0;
  constructor(private readonly seed: number | undefined) {}

  private glorot(): ReturnType<typeof tf.initializers.glorotUniform> {
    return tf.initializers.glorotUniform(
      this.seed === undefined ? {} : { seed: this.seed + this.seedCounter++ },
    );
  }

  conv(name: string, filters: number, padding: 'same' | 'valid', first = false): tf.layers.Layer {
    return tf.layers.conv2d({
      name,
      filters,
      kernelSize: KERNEL_3X3,
      padding,
      activation: 'relu',
      kernelInitializer: this.glorot(),
      biasInitializer: 'zeros',
      ...(first ? { inputShape: INPUT_SHAPE } : {}),
    });
  }

  dense(name: string, units: number, activation: 'relu' | 'softmax'): tf.layers.Layer {
    return tf.layers.dense({
      name,
      units,
      activation,
      kernelInitializer: this.glorot(),
      biasInitializer: 'zeros',
    });
  }

  batchNorm(name: string, first = false): tf.layers.Layer {
    return tf.layers.batchNormalization({
      name,
      momentum: BN_MOMENTUM,
      epsilon: BN_EPSILON,
      ...(first ? { inputShape: INPUT_SHAPE } : {}),
    });
  }

  pool(name: string, size: number): tf.layers.Layer {
    return tf.layers.maxPooling2d({ name, poolSize: [size, size], strides: [size, size] });
  }

  dropout(name: string, rate: number): tf.layers.Layer {
    return tf.layers.dropout({ name, rate, seed: this.seed });
  }

  /** Flatten → Dense256 → Dropout 0.5 → Dense64 [→ BatchNorm] → Dense10 softmax. */
  head(withBatchNorm: boolean): tf.layers.Layer[] {
    return [
      tf.layers.flatten({ name: 'flatten' }),
      this.dense('dense_256', 256, 'relu'),
      this.dropout('dropout_head', 0.5),
      this.dense('dense_64', 64, 'relu'),
      ...(withBatchNorm ? [this.batchNorm('batchnorm_head')] : []),
      this.dense('predictions', NUM_CLASSES, 'softmax'),
    ];
  }
}

const BUILDERS: Record<ArchitectureId, Builder> = {
  conv1: (b) => [
    b.conv('conv1', 64, 'valid', true),
    b.pool('pool1', 4),
    b.dropout('dropout1', 0.1),
    ...b.head(false),
  ],
  conv2: (b) => [
    b.conv('conv1', 64, 'valid', true),
    b.conv('conv2', 64, 'valid'),
    b.pool('pool1', 4),
    b.dropout('dropout1', 0.1),
    ...b.head(false),
  ],
  'conv2-pool2': (b) => [
    b.conv('conv1', 64, 'same', true),
    b.pool('pool1', 2),
    b.dropout('dropout1', 0.1),
    b.conv('conv2', 64, 'same'),
    b.pool('pool2', 2),
    b.dropout('dropout2', 0.3),
    ...b.head(false),
  ],
  'conv3-pool2': (b) => [
    b.conv('conv1', 64, 'same', true),
    b.conv('conv2', 64, 'same'),
    b.pool('pool1', 2),
    b.dropout('dropout1', 0.1),
    b.conv('conv3', 64, 'same'),
    b.pool('pool2', 2),
    b.dropout('dropout2', 0.3),
    ...b.head(false),
  ],
  'conv3-pool2-bn': (b) => [
    b.batchNorm('batchnorm_input', true),
    b.conv('conv1', 64, 'same'),
    b.conv('conv2', 64, 'same'),
    b.pool('pool1', 2),
    b.dropout('dropout1', 0.1),
    b.conv('conv3', 64, 'same'),
    b.pool('pool2', 2),
    b.dropout('dropout2', 0.3),
    ...b.head(true),
  ],
  'seed-cnn': (b) => [
    b.batchNorm('batchnorm_input', true),
    b.conv('conv1', 64, 'same'),
    b.conv('conv2', 64, 'same'),
    b.pool('pool1', 2),
    b.dropout('dropout1', 0.1),
    b.conv('conv3', 32, 'same'),
    b.conv('conv4', 32, 'same'),
    b.pool('pool2', 2),
    b.dropout('dropout2', 0.3),
    ...b.head(true),
  ],
};

/**
 * Builds a fresh, uncompiled model of the given architecture.
 * Input: float32 [batch, 28, 28, 1] in [0, 1]; output: float32 [batch, 10] class probabilities.
 */
export function createModel(id: ArchitectureId, options: ArchitectureOptions = {}): tf.Sequential {
  const layers = BUILDERS[id](new LayerFactory(options.seed));
  return tf.sequential({ name: id.replace(/-/g, '_'), layers });
}

/** The seed project's CNN: 484,302 parameters, 484,172 trainable. */
export function createSeedCnn(options: ArchitectureOptions = {}): tf.Sequential {
  return createModel('seed-cnn', options);
}
