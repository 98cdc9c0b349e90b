/**
 * A tfjs model as plain, cloneable data (SerializedModel) and back. The weights travel as one
 * ArrayBuffer, so a model crosses a worker boundary or goes into storage as a single copy.
 */
import * as tf from '@tensorflow/tfjs';
import {
  checkClassifierShape,
  checkWeightsFitLayers,
  describeBuildError,
} from './model-build-checks';
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

/**
 * Rebuilds a model from serializeModel's output (e.g. on the main thread after a worker run),
 * or from files a person chose: checked to be a 28×28×1 → 10-class model whose weights fit its
 * layers, with messages that name the layer (model-build-checks.ts).
 *
 * Not tf.loadLayersModel: when a layer or its weights fail, it keeps the variables of the
 * layers it built, and nothing can dispose them. Here a model that fails is disposed, and so
 * are the variables of a topology that fails halfway.
 */
export async function deserializeModel(serialized: SerializedModel): Promise<tf.LayersModel> {
  const model = await buildTopology(serialized.modelTopology);
  try {
    checkClassifierShape(model);
    checkWeightsFitLayers(model, serialized.weightSpecs);
    const decoded = tf.io.decodeWeights(serialized.weightData, serialized.weightSpecs);
    try {
      // As tfjs does: optimizer slots stored with a model are not the model's weights.
      const modelWeights = Object.fromEntries(
        serialized.weightSpecs
          .filter((spec) => spec.group !== 'optimizer')
          .map((spec) => [spec.name, decoded[spec.name]]),
      );
      model.loadWeights(modelWeights, true);
    } finally {
      tf.dispose(decoded);
    }
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** The model a topology describes, with fresh weights; nothing is left behind when it fails. */
function buildTopology(topology: object): Promise<tf.LayersModel> {
  const registered = () => tf.engine().registeredVariables;
  const before = new Set(Object.keys(registered()));
  // modelFromJSON builds every layer before its first await (there is none without a weights
  // manifest), so the build is over when the call returns: the scope frees the tensors a
  // failing layer made and dropped (its initial values), which nothing else runs between;
  // variables outlive scopes, so those made for the topology are noted to free on failure.
  tf.engine().startScope();
  let building: Promise<tf.LayersModel>;
  try {
    building = tf.models.modelFromJSON({ modelTopology: topology } as Parameters<
      typeof tf.models.modelFromJSON
    >[0]);
  } finally {
    tf.engine().endScope();
  }
  const made = Object.entries(registered())
    .filter(([name]) => !before.has(name))
    .map(([, variable]) => variable);
  return building.catch((error: unknown) => {
    for (const variable of made) variable.dispose();
    throw describeBuildError(error, topology);
  });
}
