/**
 * The `modelTopology` of the tab's model files (tfjs-layers' Keras-style JSON) for one of the
 * six architectures, written from the plain layer table without loading TensorFlow.js: the
 * exported scripts put it into the model files they write, so the tab reads their result as
 * one of its own. A test checks it equals `createModel(id, { seed }).toJSON()` field for field
 * and key for key.
 */
import { INPUT_SHAPE } from '../config/dataset';
import type { ArchitectureId } from '../model/architecture-catalog';
import {
  ARCHITECTURE_LAYERS,
  BATCH_NORM_EPSILON,
  BATCH_NORM_MOMENTUM,
  CONV_KERNEL_SIZE_PX,
  modelNameOf,
  type LayerSpec,
} from '../model/architecture-layers';

type Json = Record<string, unknown>;

/**
 * The TensorFlow.js version the app is built with (package.json pins it exactly; a test checks
 * it against `tf.version.tfjs`), written where the tab's files name the tfjs that made them.
 */
export const APP_TFJS_VERSION = '4.22.0';
/** tfjs-layers' name for itself in `keras_version`, followed by its version. */
const KERAS_VERSION_PREFIX = 'tfjs-layers ';
const TOPOLOGY_BACKEND = 'tensor_flow.js';

const initializer = (className: string, config: Json = {}): Json => ({
  class_name: className,
  config,
});

/** Glorot uniform as tfjs serializes it. */
const glorotUniform = (seed: number | null): Json =>
  initializer('VarianceScaling', { scale: 1, mode: 'fan_avg', distribution: 'uniform', seed });

/** The config fields of one layer, in tfjs's key order, before name and trainable. */
function layerConfig(spec: LayerSpec, nextKernelSeed: () => number | null, seed: number | null) {
  const k = CONV_KERNEL_SIZE_PX;
  switch (spec.kind) {
    case 'batchnorm':
      return {
        className: 'BatchNormalization',
        config: {
          axis: -1,
          momentum: BATCH_NORM_MOMENTUM,
          epsilon: BATCH_NORM_EPSILON,
          center: true,
          scale: true,
          beta_initializer: initializer('Zeros'),
          gamma_initializer: initializer('Ones'),
          moving_mean_initializer: initializer('Zeros'),
          moving_variance_initializer: initializer('Ones'),
          beta_regularizer: null,
          gamma_regularizer: null,
          beta_constraint: null,
          gamma_constraint: null,
        },
      };
    case 'conv':
      return {
        className: 'Conv2D',
        config: {
          filters: spec.filters,
          kernel_initializer: glorotUniform(nextKernelSeed()),
          kernel_regularizer: null,
          kernel_constraint: null,
          kernel_size: [k, k],
          strides: [1, 1],
          padding: spec.padding,
          data_format: 'channels_last',
          dilation_rate: [1, 1],
          activation: 'relu',
          use_bias: true,
          bias_initializer: initializer('Zeros'),
          bias_regularizer: null,
          activity_regularizer: null,
          bias_constraint: null,
        },
      };
    case 'maxpool':
      return {
        className: 'MaxPooling2D',
        config: {
          pool_size: [spec.sizePx, spec.sizePx],
          padding: 'valid',
          strides: [spec.sizePx, spec.sizePx],
          data_format: 'channels_last',
        },
      };
    case 'dropout':
      return { className: 'Dropout', config: { rate: spec.rate, noise_shape: null, seed } };
    case 'flatten':
      return { className: 'Flatten', config: {} };
    case 'dense':
      return {
        className: 'Dense',
        config: {
          units: spec.units,
          activation: spec.activation,
          use_bias: true,
          kernel_initializer: glorotUniform(nextKernelSeed()),
          bias_initializer: initializer('Zeros'),
          kernel_regularizer: null,
          bias_regularizer: null,
          activity_regularizer: null,
          kernel_constraint: null,
          bias_constraint: null,
        },
      };
  }
}

/**
 * The topology `createModel(id, { seed })` serializes to: a Sequential model named like the
 * architecture, the first layer carrying the input shape. A seeded model's kernels have the
 * seeds seed, seed + 1, … in layer order and its Dropout layers the seed itself.
 */
export function createLayersTopology(id: ArchitectureId, seed?: number): Json {
  let kernelCount = 0;
  const nextKernelSeed = () => (seed === undefined ? null : seed + kernelCount++);
  const layers = ARCHITECTURE_LAYERS[id].map((spec, index) => {
    const { className, config } = layerConfig(spec, nextKernelSeed, seed ?? null);
    const input =
      index === 0 ? { batch_input_shape: [null, ...INPUT_SHAPE], dtype: 'float32' } : {};
    return {
      class_name: className,
      config: { ...config, name: spec.name, trainable: true, ...input },
    };
  });
  return {
    class_name: 'Sequential',
    config: { name: modelNameOf(id), layers },
    keras_version: `${KERAS_VERSION_PREFIX}${APP_TFJS_VERSION}`,
    backend: TOPOLOGY_BACKEND,
  };
}
