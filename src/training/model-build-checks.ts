/**
 * What deserializeModel says when a model does not build. tfjs's own messages name neither the
 * layer nor the weight ("Shape mismatch: [5,5,1,64] vs. [3,3,1,64]", "dtype of the new value
 * (int32) and previous value (float32) must match"), so the checks that can name them run
 * before tfjs's, and tfjs's "Unknown …" errors get the layer they come from.
 */
import type * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE_PX, NUM_CLASSES } from '../config/dataset';
import { errorMessage } from '../shared/errors';
import { isRecord } from '../shared/guards';
import type { SerializedModel } from './run-types';

type WeightSpec = SerializedModel['weightSpecs'][number];
type Shape = readonly (number | null)[];

/** [batch, height, width, channels] of the images the app feeds. */
const INPUT_BATCH_SHAPE: Shape = [null, IMAGE_SIZE_PX, IMAGE_SIZE_PX, 1];
/** [batch, classes]: one probability per class. */
const OUTPUT_BATCH_SHAPE: Shape = [null, NUM_CLASSES];

const formatShape = (shape: Shape): string =>
  `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;

const isSameShape = (a: Shape, b: Shape): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** A convolution kernel is [height, width, in, out]; its size is what a person sets. */
function describeShapeMismatch(layerName: string, weightName: string, needed: Shape, held: Shape) {
  const detail = `${weightName}: the layer needs ${formatShape(needed)}, the weights hold ${formatShape(held)}`;
  const isConvKernel = /kernel$/.test(weightName) && needed.length === 4 && held.length === 4;
  if (isConvKernel && (needed[0] !== held[0] || needed[1] !== held[1])) {
    return (
      `layer ${layerName}: kernel ${needed[0]}×${needed[1]} does not match its weights ` +
      `${held[0]}×${held[1]} (${detail}).`
    );
  }
  return `layer ${layerName}: weight ${detail}.`;
}

/**
 * Throws, naming the layer, when a stored weight's shape or dtype differs from the variable it
 * would be loaded into. Weights missing or left over are left to tfjs's strict load, which
 * lists them by name.
 */
export function checkWeightsFitLayers(model: tf.LayersModel, specs: readonly WeightSpec[]): void {
  const specByName = new Map(specs.map((spec) => [spec.name, spec]));
  for (const layer of model.layers) {
    for (const weight of layer.weights) {
      const spec = specByName.get(weight.originalName);
      if (!spec) continue;
      if (!isSameShape(spec.shape, weight.shape)) {
        throw new Error(
          describeShapeMismatch(layer.name, weight.originalName, weight.shape, spec.shape),
        );
      }
      if (spec.dtype !== weight.dtype) {
        throw new Error(
          `layer ${layer.name}: weight ${weight.originalName} is ${spec.dtype} in the weights; ` +
            `the layer needs ${weight.dtype}.`,
        );
      }
    }
  }
}

/** Throws unless the model takes 28×28×1 images and gives one value per class. */
export function checkClassifierShape(model: tf.LayersModel): void {
  const inputs = model.inputs.map((input) => input.shape);
  if (inputs.length !== 1 || !isSameShape(inputs[0], INPUT_BATCH_SHAPE)) {
    throw new Error(
      `the model takes input of shape ${inputs.map(formatShape).join(' and ')}; this app ` +
        `feeds ${formatShape(INPUT_BATCH_SHAPE)} (28×28 grayscale images).`,
    );
  }
  const outputs = model.outputs.map((output) => output.shape);
  if (outputs.length !== 1 || !isSameShape(outputs[0], OUTPUT_BATCH_SHAPE)) {
    throw new Error(
      `the model outputs shape ${outputs.map(formatShape).join(' and ')}; this app needs ` +
        `${formatShape(OUTPUT_BATCH_SHAPE)} (one probability per class).`,
    );
  }
}

/** The name of the layer whose JSON holds `value` (as its class or a config value), if any. */
function layerHolding(value: unknown, wanted: string, layerName: string | null): string | null {
  if (typeof value === 'string') return value === wanted ? layerName : null;
  if (!isRecord(value) && !Array.isArray(value)) return null;
  let inside = layerName;
  if (isRecord(value) && isRecord(value.config) && typeof value.config.name === 'string') {
    // A layer's class names the layer; it is the config of the layer that is searched.
    if (value.class_name === wanted) return value.config.name;
    inside = value.config.name;
  }
  for (const child of Object.values(value)) {
    const found = layerHolding(child, wanted, inside);
    if (found !== null) return found;
  }
  return null;
}

/**
 * tfjs's "Unknown activation: nonsense. This may be due to one of the following reasons: …"
 * (the rest is advice for programmers) as "layer conv1: unknown activation "nonsense"";
 * other errors keep tfjs's words.
 */
export function describeBuildError(error: unknown, topology: object): Error {
  const message = errorMessage(error);
  const unknown = /^Unknown ([\w ]+?): (.+?)\. This may be due to/s.exec(message);
  if (!unknown) return error instanceof Error ? error : new Error(message);
  const [, kind, name] = unknown;
  // The model's own class is matched at the top, as the topology's class_name.
  const modelConfig =
    isRecord(topology) && isRecord(topology.model_config) ? topology.model_config : topology;
  const layers = isRecord(modelConfig) ? modelConfig.config : undefined;
  const layerName = layerHolding(layers, name, null);
  const what = `unknown ${kind} "${name}": TensorFlow.js has no ${kind} of that name`;
  return new Error(layerName === null ? `${what}.` : `layer ${layerName}: ${what}.`);
}
