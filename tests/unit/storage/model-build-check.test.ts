/**
 * Model files that read well but do not build: a real trained conv1 (one epoch on real rows),
 * downloaded as files and edited the ways a person's files go wrong. Each must be refused by
 * the build check, through the engine's own predict request, with a message that starts with
 * the model JSON's name and names the layer; no tensor may stay behind.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { NUM_CLASSES } from '../../../src/config/dataset';
import { checkModelBuilds } from '../../../src/storage/model-build-check';
import { createModelDownloadFiles } from '../../../src/storage/model-download-files';
import { readModelFiles } from '../../../src/storage/model-upload';
import { StorageError } from '../../../src/storage/storage-error';
import { createTrainingEngine } from '../../../src/training/engine';
import type { SerializedModel } from '../../../src/training/run-types';
import { createTrainingSession } from '../../../src/training/training-client';
import { CPU_BACKEND_REQUEST, smallConv1Params, smallEngineData } from '../training/real-data';

const MODEL_JSON = 'probe.json';
const WEIGHTS = 'probe.weights.bin';

interface LayerJson {
  class_name: string;
  config: Record<string, unknown>;
}
interface ModelJson {
  modelTopology: { config: { layers: LayerJson[] } };
  weightsManifest: { paths: string[]; weights: { name: string; dtype: string }[] }[];
}

let modelJsonText: string;
let weights: ArrayBuffer;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const session = createTrainingSession({
    preferWorker: false,
    engineOptions: { yieldToEventLoop: () => Promise.resolve() },
  });
  const result = await session.start(smallEngineData(), smallConv1Params(1), CPU_BACKEND_REQUEST);
  session.dispose();
  expect(result.end).toBe('completed');
  const [json, bin] = createModelDownloadFiles(result.model!, null, 'probe');
  modelJsonText = await json.blob.text();
  weights = await bin.blob.arrayBuffer();
});

/** The engine's predict request, as the worker answers it (cpu backend). */
function enginePredict() {
  const engine = createTrainingEngine('main-thread', () => undefined);
  let requestId = 0;
  const predict = (model: SerializedModel, images: Uint8Array) =>
    engine.predict({
      requestId: ++requestId,
      modelId: `probe-${requestId}`,
      model,
      images,
      backendRequest: CPU_BACKEND_REQUEST,
    });
  return { engine, predict };
}

/** Disposes the engine; its cached model goes once the cache's promise settles. */
async function disposed(engine: { dispose(): void }): Promise<void> {
  engine.dispose();
  await new Promise((resolve) => setTimeout(resolve, 0));
}

/** The downloaded files with the model JSON edited by `edit`. */
function probeFiles(edit: (json: ModelJson) => void): File[] {
  const json = JSON.parse(modelJsonText) as ModelJson;
  edit(json);
  return [new File([JSON.stringify(json)], MODEL_JSON), new File([weights], WEIGHTS)];
}

const layer = (json: ModelJson, name: string): LayerJson => {
  const found = json.modelTopology.config.layers.find((l) => l.config.name === name);
  if (!found) throw new Error(`conv1 has a layer ${name}`);
  return found;
};

/** Reads `files` (which must pass) and builds them; the build's StorageError message. */
async function buildError(files: File[]): Promise<string> {
  const read = await readModelFiles(files);
  const { engine, predict } = enginePredict();
  const tensorsBefore = tf.memory().numTensors;
  const error = await checkModelBuilds(read, predict).then(
    () => null,
    (e: unknown) => e,
  );
  // A model that built but answered wrongly stays in the engine's cache until disposed.
  await disposed(engine);
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  expect(error).toBeInstanceOf(StorageError);
  expect((error as StorageError).kind).toBe('unreadable');
  return (error as StorageError).message;
}

describe('the build check of uploaded model files', () => {
  test('the downloaded model builds and answers a blank image with 10 probabilities', async () => {
    const read = await readModelFiles(probeFiles(() => undefined));
    const { engine } = enginePredict();
    const tensorsBefore = tf.memory().numTensors;
    let seen: Float32Array | null = null;
    await checkModelBuilds(read, async (model, images) => {
      seen = await engine.predict({
        requestId: 1,
        modelId: 'kept',
        model,
        images,
        backendRequest: CPU_BACKEND_REQUEST,
      });
      return seen;
    });
    expect(seen!.length).toBe(NUM_CLASSES);
    // The built model stays in the engine's cache under its id, for the page's predictions.
    expect(engine.getCachedModelId()).toBe('kept');
    await disposed(engine);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  test('an unknown activation names the layer and the activation', async () => {
    const files = probeFiles((json) => {
      layer(json, 'conv1').config.activation = 'nonsense';
    });
    expect(await buildError(files)).toBe(
      'probe.json: layer conv1: unknown activation "nonsense": TensorFlow.js has no activation ' +
        'of that name.',
    );
  });

  test('a kernel size that does not match the weights says both sizes', async () => {
    const files = probeFiles((json) => {
      layer(json, 'conv1').config.kernel_size = [5, 5];
    });
    expect(await buildError(files)).toBe(
      'probe.json: layer conv1: kernel 5×5 does not match its weights 3×3 (conv1/kernel: the ' +
        'layer needs [5, 5, 1, 64], the weights hold [3, 3, 1, 64]).',
    );
  });

  test('a weight stored as int32 names the weight and the dtype the layer needs', async () => {
    const files = probeFiles((json) => {
      const spec = json.weightsManifest[0].weights.find((w) => w.name === 'dense_64/kernel');
      spec!.dtype = 'int32';
    });
    expect(await buildError(files)).toBe(
      'probe.json: layer dense_64: weight dense_64/kernel is int32 in the weights; the layer ' +
        'needs float32.',
    );
  });

  test('an unknown layer class names the layer', async () => {
    const files = probeFiles((json) => {
      layer(json, 'flatten').class_name = 'Flattener';
    });
    expect(await buildError(files)).toBe(
      'probe.json: layer flatten: unknown layer "Flattener": TensorFlow.js has no layer of ' +
        'that name.',
    );
  });

  test('a last layer without softmax is not a source of class probabilities', async () => {
    const files = probeFiles((json) => {
      layer(json, 'predictions').config.activation = 'linear';
    });
    expect(await buildError(files)).toMatch(
      /^probe\.json: the model's 10 outputs for a blank image are not class probabilities \(they sum to -?[\d.e+-]+, not 1\): its last layer needs a softmax activation\.$/,
    );
  });

  test('an output of other than 10 values per image is refused before any prediction', async () => {
    const files = probeFiles((json) => {
      // A layer after the 10-unit Dense: readModelFiles only sees the last Dense's units.
      json.modelTopology.config.layers.push({
        class_name: 'RepeatVector',
        config: { name: 'repeat', n: 2 },
      });
    });
    expect(await buildError(files)).toBe(
      'probe.json: the model outputs shape [null, 2, 10]; this app needs [null, 10] (one ' +
        'probability per class).',
    );
  });
});
