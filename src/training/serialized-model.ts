/**
 * A tfjs model as plain, cloneable data (SerializedModel) and back. The weights travel as one
 * ArrayBuffer, so a model crosses a worker boundary or goes into storage as a single copy.
 */
import * as tf from '@tensorflow/tfjs';
import type { SerializedModel } from './run-types';

/** tfjs's weight data (one buffer, or shards) as one ArrayBuffer; empty when there is none. */
export function joinWeightData(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  return Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
}

/** The model's topology and weights as one cloneable object (weights in one ArrayBuffer). */
export async function serializeModel(model: tf.LayersModel): Promise<SerializedModel> {
  let captured: SerializedModel | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = {
        modelTopology: (artifacts.modelTopology ?? {}) as object,
        weightSpecs: artifacts.weightSpecs ?? [],
        weightData: joinWeightData(artifacts.weightData),
      };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (!captured) throw new Error('Model save handler was not called');
  return captured;
}

/** Rebuilds a model from serializeModel's output (e.g. on the main thread after a worker run). */
export function deserializeModel(serialized: SerializedModel): Promise<tf.LayersModel> {
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: serialized.modelTopology,
      weightSpecs: serialized.weightSpecs,
      weightData: serialized.weightData,
    }),
  );
}
