/**
 * The seven-layer seed CNN and the six architectures of the seed project's experiment table,
 * as pure factories over the plain layer table of architecture-layers.ts (where the layers,
 * their names and the dropout placement are described). Every layer has an explicit, stable
 * name so that a saved model converts to Keras with the tensorflowjs converter
 * (auto-generated names break that conversion).
 *
 * Initialisation is Keras' default: Glorot-uniform kernels, zero biases, BatchNorm momentum
 * 0.99 and epsilon 1e-3 (tfjs layers already default to these; they are written out so a
 * change of tfjs defaults cannot silently change the models).
 */
import * as tf from '@tensorflow/tfjs';
import { INPUT_SHAPE } from '../config/dataset';
import type { ArchitectureId } from './architecture-catalog';
import {
  ARCHITECTURE_LAYERS,
  BATCH_NORM_EPSILON,
  BATCH_NORM_MOMENTUM,
  CONV_KERNEL_SIZE_PX,
  modelNameOf,
  type LayerSpec,
} from './architecture-layers';

export type { ArchitectureId } from './architecture-catalog';

/** Options a caller may set; configuration is an argument, never module state. */
export interface ArchitectureOptions {
  /** Seed for the Glorot-uniform initialisers, for repeatable runs. Unset: random. */
  seed?: number;
}

/**
 * Builds the named layers of the architectures. A seeded model's kernels get the seeds seed,
 * seed + 1, … in layer order, and its Dropout layers the seed itself, so it is repeatable.
 */
class LayerFactory {
  private seedCounter = 0;
  constructor(private readonly seed: number | undefined) {}

  private glorot(): ReturnType<typeof tf.initializers.glorotUniform> {
    return tf.initializers.glorotUniform(
      this.seed === undefined ? {} : { seed: this.seed + this.seedCounter++ },
    );
  }

  /** The tfjs layer of `spec`; the first layer of a model also declares the input shape. */
  create(spec: LayerSpec, isFirst: boolean): tf.layers.Layer {
    const input = isFirst ? { inputShape: INPUT_SHAPE } : {};
    const { name } = spec;
    switch (spec.kind) {
      case 'batchnorm':
        return tf.layers.batchNormalization({
          name,
          momentum: BATCH_NORM_MOMENTUM,
          epsilon: BATCH_NORM_EPSILON,
          ...input,
        });
      case 'conv':
        return tf.layers.conv2d({
          name,
          filters: spec.filters,
          kernelSize: [CONV_KERNEL_SIZE_PX, CONV_KERNEL_SIZE_PX],
          padding: spec.padding,
          activation: 'relu',
          kernelInitializer: this.glorot(),
          biasInitializer: 'zeros',
          ...input,
        });
      case 'maxpool':
        return tf.layers.maxPooling2d({
          name,
          poolSize: [spec.sizePx, spec.sizePx],
          strides: [spec.sizePx, spec.sizePx],
        });
      case 'dropout':
        return tf.layers.dropout({ name, rate: spec.rate, seed: this.seed });
      case 'flatten':
        return tf.layers.flatten({ name });
      case 'dense':
        return tf.layers.dense({
          name,
          units: spec.units,
          activation: spec.activation,
          kernelInitializer: this.glorot(),
          biasInitializer: 'zeros',
        });
    }
  }
}

/**
 * Builds a fresh, uncompiled model of the given architecture.
 * Input: float32 [batch, 28, 28, 1] in [0, 1]; output: float32 [batch, 10] class probabilities.
 */
export function createModel(id: ArchitectureId, options: ArchitectureOptions = {}): tf.Sequential {
  const factory = new LayerFactory(options.seed);
  const layers = ARCHITECTURE_LAYERS[id].map((spec, index) => factory.create(spec, index === 0));
  return tf.sequential({ name: modelNameOf(id), layers });
}

/** The seed project's CNN: 484,302 parameters, 484,172 trainable. */
export function createSeedCnn(options: ArchitectureOptions = {}): tf.Sequential {
  return createModel('seed-cnn', options);
}
