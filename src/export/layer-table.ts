/**
 * An architecture's layers with what the exported code needs to know about each: its output
 * shape, its parameters, and its weights as the tab stores them (name, tfjs shape, order).
 * Computed from the plain layer table (src/model/architecture-layers.ts) without TensorFlow.js;
 * tests check every figure against the tfjs models and the catalog.
 */
import { INPUT_SHAPE } from '../config/dataset';
import type { ArchitectureId } from '../model/architecture-catalog';
import {
  ARCHITECTURE_LAYERS,
  CONV_KERNEL_SIZE_PX,
  type LayerSpec,
} from '../model/architecture-layers';

/** One weight of a layer, as the tab's weight files name and shape it. */
export interface TabWeight {
  /** `<layer>/<weight>`, e.g. `conv1/kernel`, `batchnorm_head/moving_variance`. */
  name: string;
  /** tfjs layout: conv kernels [kh, kw, in, out], dense kernels [in, out]. */
  shape: number[];
  /** False for BatchNorm's moving statistics, which training updates without gradients. */
  isTrainable: boolean;
}

/** A layer with its sizes. */
export interface TableLayer {
  spec: LayerSpec;
  /** Shape of one example's input to the layer: [height, width, channels] or [features]. */
  inputShape: number[];
  /** Shape of one example's output. */
  outputShape: number[];
  weights: TabWeight[];
  /** Parameters as Keras counts them (moving statistics included). */
  paramCount: number;
}

const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Spatial size after a 3 × 3 convolution of stride 1. */
function convOutputSize(size: number, padding: 'same' | 'valid'): number {
  return padding === 'same' ? size : size - CONV_KERNEL_SIZE_PX + 1;
}

/** Output shape and weights of `spec` for an input of shape `input`. */
function describeLayer(
  spec: LayerSpec,
  input: number[],
): { outputShape: number[]; weights: TabWeight[] } {
  const weight = (attribute: string, shape: number[], isTrainable = true): TabWeight => ({
    name: `${spec.name}/${attribute}`,
    shape,
    isTrainable,
  });
  const channels = input[input.length - 1];
  switch (spec.kind) {
    case 'batchnorm':
      return {
        outputShape: input,
        weights: [
          weight('gamma', [channels]),
          weight('beta', [channels]),
          weight('moving_mean', [channels], false),
          weight('moving_variance', [channels], false),
        ],
      };
    case 'conv': {
      const [height, width] = input;
      const k = CONV_KERNEL_SIZE_PX;
      return {
        outputShape: [
          convOutputSize(height, spec.padding),
          convOutputSize(width, spec.padding),
          spec.filters,
        ],
        weights: [weight('kernel', [k, k, channels, spec.filters]), weight('bias', [spec.filters])],
      };
    }
    case 'maxpool': {
      // Keras' valid pooling: windows that do not fit at the edge are dropped.
      const [height, width] = input;
      return {
        outputShape: [Math.floor(height / spec.sizePx), Math.floor(width / spec.sizePx), channels],
        weights: [],
      };
    }
    case 'dropout':
      return { outputShape: input, weights: [] };
    case 'flatten':
      return { outputShape: [product(input)], weights: [] };
    case 'dense':
      return {
        outputShape: [spec.units],
        weights: [weight('kernel', [channels, spec.units]), weight('bias', [spec.units])],
      };
  }
}

/** The layers of `id`, input first, with shapes, weights and parameter counts. */
export function describeArchitectureLayers(id: ArchitectureId): TableLayer[] {
  let shape: number[] = [...INPUT_SHAPE];
  return ARCHITECTURE_LAYERS[id].map((spec) => {
    const { outputShape, weights } = describeLayer(spec, shape);
    const layer: TableLayer = {
      spec,
      inputShape: shape,
      outputShape,
      weights,
      paramCount: weights.reduce((sum, w) => sum + product(w.shape), 0),
    };
    shape = outputShape;
    return layer;
  });
}

/** A weight as tfjs's weightsManifest lists it. */
export interface TabWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/**
 * The weights of `id` in the order of the tab's `.weights.bin`: tfjs's `model.weights`, i.e.
 * every trainable weight in layer order, then the non-trainable ones (moving statistics).
 */
export function tabWeightSpecs(id: ArchitectureId): TabWeightSpec[] {
  const weights = describeArchitectureLayers(id).flatMap((layer) => layer.weights);
  return [...weights.filter((w) => w.isTrainable), ...weights.filter((w) => !w.isTrainable)].map(
    ({ name, shape }) => ({ name, shape, dtype: 'float32' }),
  );
}

/** Total and trainable parameters of `id`, as Keras counts them. */
export function countArchitectureParams(id: ArchitectureId): { total: number; trainable: number } {
  const weights = describeArchitectureLayers(id).flatMap((layer) => layer.weights);
  const sum = (list: TabWeight[]) => list.reduce((total, w) => total + product(w.shape), 0);
  return { total: sum(weights), trainable: sum(weights.filter((w) => w.isTrainable)) };
}
