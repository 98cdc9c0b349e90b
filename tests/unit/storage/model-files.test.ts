import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIXELS_PER_IMAGE } from '../../../src/config/dataset';
import { createModel } from '../../../src/model/architectures';
import { createModelMetadata, type ModelMetadata } from '../../../src/storage/model-metadata';
import {
  createModelDownloadFiles,
  sanitizeFileBaseName,
  type LayersModelJson,
  type ModelDownloadFile,
} from '../../../src/storage/model-download-files';
import { readModelFiles } from '../../../src/storage/model-upload';
import { StorageError } from '../../../src/storage/storage-error';
import { deserializeModel, serializeModel } from '../../../src/training/serialized-model';
import type { SerializedModel } from '../../../src/training/run-types';
import { DEFAULT_TRAINING_PARAMS } from '../../../src/training/training-params';
import { loadRealSplit } from '../training/real-data';

const IMAGE_COUNT = 100;
const PREDICTION_TOLERANCE = 1e-5;
/** The seed CNN's parameters (trainable + BatchNorm moving statistics), all float32. */
const SEED_CNN_PARAMS = 484_302;
const SEED_CNN_WEIGHT_BYTES = SEED_CNN_PARAMS * 4;

let original: tf.LayersModel;
let serialized: SerializedModel;
let metadata: ModelMetadata;
let downloads: ModelDownloadFile[];
/** float32 [100, 28, 28, 1] in [0, 1]: the first real test images. */
let xs: tf.Tensor4D;
/** The original model's softmax outputs on xs, [100 × 10]. */
let expected: Float32Array;
let tempDir: string;

async function predict(model: tf.LayersModel): Promise<Float32Array> {
  const output = tf.tidy(() => model.predict(xs) as tf.Tensor);
  const values = (await output.data()) as Float32Array;
  output.dispose();
  return values;
}

function maxAbsDiff(actual: Float32Array, wanted: Float32Array): number {
  expect(actual.length).toBe(wanted.length);
  let maxDiff = 0;
  for (let i = 0; i < wanted.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - wanted[i]));
  }
  return maxDiff;
}

/** Deep equality of Vitest walks 2 MB element by element; Buffer.equals is a memcmp. */
function sameBytes(a: ArrayBuffer | Uint8Array, b: ArrayBuffer | Uint8Array): boolean {
  const view = (bytes: ArrayBuffer | Uint8Array) =>
    bytes instanceof Uint8Array
      ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      : Buffer.from(bytes);
  return view(a).equals(view(b));
}

/** The download as uploaded files, each replaced by `overrides[name]` when given. */
async function asFiles(overrides: Record<string, BlobPart | null> = {}): Promise<File[]> {
  const files: File[] = [];
  for (const { name, blob } of downloads) {
    if (overrides[name] === null) continue;
    files.push(new File([overrides[name] ?? (await blob.arrayBuffer())], name));
  }
  return files;
}

async function modelJson(): Promise<LayersModelJson> {
  return JSON.parse(await downloads[0].blob.text()) as LayersModelJson;
}

/** The download's model JSON after `edit`, as a replacement for asFiles. */
async function editedModelJson(
  edit: (json: LayersModelJson & { modelTopology: TopologyShape }) => void,
): Promise<Record<string, string>> {
  const json = (await modelJson()) as LayersModelJson & { modelTopology: TopologyShape };
  edit(json);
  return { 'seed-cnn.json': JSON.stringify(json) };
}

interface TopologyShape {
  config: { layers: { class_name: string; config: Record<string, unknown> }[] };
}

async function readError(files: File[]): Promise<StorageError> {
  const error = await readModelFiles(files).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StorageError);
  expect((error as StorageError).kind).toBe('unreadable');
  return error as StorageError;
}

/** Loads `<jsonPath>` and the .bin files it names from disk, as tfjs-node's file:// would. */
function diskLoadHandler(jsonPath: string): tf.io.IOHandler {
  return {
    load: () => {
      const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const buffers = manifest
          .flatMap((group) => group.paths)
          .map((path) => new Uint8Array(readFileSync(join(dirname(jsonPath), path))).buffer);
        return Promise.resolve([specs, tf.io.concatenateArrayBuffers(buffers)]);
      });
    },
  };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  original = createModel('seed-cnn', { seed: 1 });
  serialized = await serializeModel(original);
  metadata = createModelMetadata({
    id: 'b5f0b2a4-0000-4000-8000-000000000001',
    name: 'seed cnn / seed 1',
    trainingParams: { ...DEFAULT_TRAINING_PARAMS, seed: 1 },
    epochsCompleted: 0,
    trainingAccuracy: null,
    validationAccuracy: null,
    testAccuracy: null,
    tfjsVersion: tf.version.tfjs,
    createdAt: new Date('2025-05-06T07:08:09.000Z'),
    sizeBytes: serialized.weightData.byteLength,
  });
  downloads = createModelDownloadFiles(serialized, metadata, 'seed-cnn');
  const { images } = loadRealSplit('test', IMAGE_COUNT);
  expect(images.length).toBe(IMAGE_COUNT * PIXELS_PER_IMAGE);
  xs = tf.tidy(() => tf.tensor4d(images, [IMAGE_COUNT, 28, 28, 1], 'float32').div(255));
  expected = await predict(original);
  tempDir = mkdtempSync(join(tmpdir(), 'model-files-'));
});

afterAll(() => {
  original.dispose();
  xs.dispose();
  rmSync(tempDir, { recursive: true, force: true });
});

describe('createModelDownloadFiles', () => {
  it('writes the tfjs layers format, the weights and the metadata', async () => {
    expect(downloads.map((file) => file.name)).toEqual([
      'seed-cnn.json',
      'seed-cnn.weights.bin',
      'seed-cnn.metadata.json',
    ]);
    expect(downloads.map((file) => file.blob.type)).toEqual([
      'application/json',
      'application/octet-stream',
      'application/json',
    ]);
    const json = await modelJson();
    // Key order too: the same bytes tfjs's browserDownloads would write.
    expect(Object.keys(json)).toEqual([
      'modelTopology',
      'format',
      'generatedBy',
      'convertedBy',
      'weightsManifest',
    ]);
    expect(json).toEqual({
      modelTopology: serialized.modelTopology,
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
      convertedBy: null,
      weightsManifest: [{ paths: ['./seed-cnn.weights.bin'], weights: serialized.weightSpecs }],
    });
    const weights = new Uint8Array(await downloads[1].blob.arrayBuffer());
    expect(weights.byteLength).toBe(SEED_CNN_WEIGHT_BYTES);
    expect(sameBytes(weights, serialized.weightData)).toBe(true);
    expect(JSON.parse(await downloads[2].blob.text())).toEqual(metadata);
  });

  it('loads back in tfjs from disk with the same parameters and predictions', async () => {
    for (const { name, blob } of downloads) {
      writeFileSync(join(tempDir, name), new Uint8Array(await blob.arrayBuffer()));
    }
    const tensorsBefore = tf.memory().numTensors;
    const loaded = await tf.loadLayersModel(diskLoadHandler(join(tempDir, 'seed-cnn.json')));
    expect(loaded.countParams()).toBe(SEED_CNN_PARAMS);
    expect(loaded.inputs[0].shape).toEqual([null, 28, 28, 1]);
    expect(maxAbsDiff(await predict(loaded), expected)).toBeLessThanOrEqual(PREDICTION_TOLERANCE);
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('leaves out the metadata file when there is no metadata', async () => {
    const files = createModelDownloadFiles(serialized, null, 'from files', {
      tfjsVersion: '4.22.0',
    });
    expect(files.map((file) => file.name)).toEqual(['from-files.json', 'from-files.weights.bin']);
    const json = JSON.parse(await files[0].blob.text()) as LayersModelJson;
    expect(json.generatedBy).toBe('TensorFlow.js tfjs-layers v4.22.0');
    const [unversioned] = createModelDownloadFiles(serialized, null, 'x');
    expect((JSON.parse(await unversioned.blob.text()) as LayersModelJson).generatedBy).toBe(
      'TensorFlow.js tfjs-layers',
    );
  });

  it('sanitizes the base name into a safe file name', () => {
    const names = (base: string) =>
      createModelDownloadFiles(serialized, metadata, base).map((file) => file.name);
    expect(names('../../etc/passwd')).toEqual([
      'etc-passwd.json',
      'etc-passwd.weights.bin',
      'etc-passwd.metadata.json',
    ]);
    expect(sanitizeFileBaseName('My model: 91% <best>?')).toBe('My-model-91-best');
    expect(sanitizeFileBaseName('a\\b/c|d*e"f')).toBe('a-b-c-d-e-f');
    expect(sanitizeFileBaseName('.hidden')).toBe('hidden');
    expect(sanitizeFileBaseName('Modèle été')).toBe('Modèle-été');
    expect(sanitizeFileBaseName('???')).toBe('model');
    expect(sanitizeFileBaseName('')).toBe('model');
    expect(sanitizeFileBaseName('CON')).toBe('model-CON');
    expect(sanitizeFileBaseName('x'.repeat(300))).toBe('x'.repeat(100));
    expect(sanitizeFileBaseName('seed-cnn_2025-05-06.v1')).toBe('seed-cnn_2025-05-06.v1');
  });
});

describe('readModelFiles', () => {
  it('reads the download back into a model with the same predictions', async () => {
    const tensorsBefore = tf.memory().numTensors;
    // Order of the chosen files does not matter.
    const { model, metadata: readMetadata } = await readModelFiles((await asFiles()).reverse());
    expect(readMetadata).toEqual(metadata);
    expect(model.modelTopology).toEqual(serialized.modelTopology);
    expect(model.weightSpecs).toEqual(serialized.weightSpecs);
    expect(sameBytes(model.weightData, serialized.weightData)).toBe(true);
    const loaded = await deserializeModel(model);
    expect(loaded.countParams()).toBe(SEED_CNN_PARAMS);
    expect(maxAbsDiff(await predict(loaded), expected)).toBeLessThanOrEqual(PREDICTION_TOLERANCE);
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('reads a model without metadata, and shards concatenated in manifest order', async () => {
    const weights = new Uint8Array(serialized.weightData);
    const cut = 1_000_003;
    const json = await modelJson();
    json.weightsManifest = [
      { paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: serialized.weightSpecs },
    ];
    const files = [
      new File([weights.slice(cut)], 'group1-shard2of2.bin'),
      new File([JSON.stringify(json)], 'model.json'),
      new File([weights.slice(0, cut)], 'group1-shard1of2.bin'),
    ];
    const { model, metadata: readMetadata } = await readModelFiles(files);
    expect(readMetadata).toBeNull();
    expect(sameBytes(model.weightData, weights)).toBe(true);
  });

  it('finds the input layer of a functional model', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const input = tf.input({ shape: [28, 28, 1], name: 'pixels' });
    const flat = tf.layers.flatten({ name: 'flat' }).apply(input) as tf.SymbolicTensor;
    const output = tf.layers
      .dense({ units: 10, activation: 'softmax', name: 'classes' })
      .apply(flat) as tf.SymbolicTensor;
    const functional = tf.model({ inputs: input, outputs: output });
    const files = createModelDownloadFiles(await serializeModel(functional), metadata, 'fn');
    functional.dispose();
    const asUpload = await Promise.all(
      files.map(async ({ name, blob }) => new File([await blob.arrayBuffer()], name)),
    );
    const { model } = await readModelFiles(asUpload);
    expect(model.weightData.byteLength).toBe((28 * 28 * 10 + 10) * 4);
    expect(tf.memory().numTensors).toBe(tensorsBefore);

    const json = JSON.parse(await files[0].blob.text()) as {
      modelTopology: TopologyShape;
    };
    const inputLayer = json.modelTopology.config.layers[0];
    expect(inputLayer.class_name).toBe('InputLayer');
    inputLayer.config.batch_input_shape = [null, 32, 32, 3];
    const error = await readError([new File([JSON.stringify(json)], 'fn.json'), asUpload[1]]);
    expect(error.message).toBe(
      'The model in fn.json takes input of shape [null, 32, 32, 3]; this app needs ' +
        '[null, 28, 28, 1] (28×28 grayscale images).',
    );
  });

  it('says when no model JSON is among the files', async () => {
    const error = await readError(await asFiles({ 'seed-cnn.json': null }));
    expect(error.message).toBe(
      'None of the files is a TensorFlow.js model JSON (a .json file with modelTopology and ' +
        'weightsManifest). Got: seed-cnn.weights.bin, seed-cnn.metadata.json.',
    );
    expect((await readError([])).message).toMatch(/Got: no files\.$/);
  });

  it('names a JSON file that does not parse', async () => {
    const error = await readError(await asFiles({ 'seed-cnn.json': '{"modelTopology": {"cl' }));
    expect(error.message).toBe('seed-cnn.json is not valid JSON, so it cannot be read.');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('names a weights file the manifest needs but was not given', async () => {
    const error = await readError(await asFiles({ 'seed-cnn.weights.bin': null }));
    expect(error.message).toBe(
      'seed-cnn.json names the weights file seed-cnn.weights.bin, which was not among the ' +
        'files. Choose it together with the model JSON.',
    );
  });

  it('says how many bytes a truncated weights file lacks', async () => {
    const truncated = new Uint8Array(serialized.weightData).slice(0, SEED_CNN_WEIGHT_BYTES - 10);
    const error = await readError(await asFiles({ 'seed-cnn.weights.bin': truncated }));
    expect(error.message).toBe(
      'The weights in seed-cnn.weights.bin do not fit the model: expected 1937208 bytes from ' +
        'the manifest in seed-cnn.json, found 1937198.',
    );
  });

  it('refuses a model whose input is not [null, 28, 28, 1]', async () => {
    const edited = await editedModelJson((json) => {
      json.modelTopology.config.layers[0].config.batch_input_shape = [null, 32, 32, 3];
    });
    const error = await readError(await asFiles(edited));
    expect(error.message).toBe(
      'The model in seed-cnn.json takes input of shape [null, 32, 32, 3]; this app needs ' +
        '[null, 28, 28, 1] (28×28 grayscale images).',
    );

    const noShape = await editedModelJson((json) => {
      delete json.modelTopology.config.layers[0].config.batch_input_shape;
    });
    expect((await readError(await asFiles(noShape))).message).toBe(
      'Could not determine the input shape of the model in seed-cnn.json: its first layer has ' +
        'no batch_input_shape. This app needs input shape [null, 28, 28, 1].',
    );
  });

  it('refuses a model whose output is not 10 classes, or cannot be told', async () => {
    const nineUnits = await editedModelJson((json) => {
      const layers = json.modelTopology.config.layers;
      const dense = layers.filter((layer) => layer.class_name === 'Dense').at(-1);
      if (!dense) throw new Error('the seed CNN has a Dense layer');
      dense.config.units = 9;
    });
    expect((await readError(await asFiles(nineUnits))).message).toBe(
      'The model in seed-cnn.json outputs 9 classes (units of its last Dense layer "predictions"); ' +
        'this app needs 10.',
    );

    const noDense = await editedModelJson((json) => {
      const layers = json.modelTopology.config.layers;
      json.modelTopology.config.layers = layers.filter((layer) => layer.class_name !== 'Dense');
    });
    expect((await readError(await asFiles(noDense))).message).toBe(
      'Could not determine how many classes the model in seed-cnn.json outputs: it has no ' +
        'Dense layer with units. This app needs 10 classes.',
    );
  });

  it('explains metadata of another schema version', async () => {
    const error = await readError(
      await asFiles({
        'seed-cnn.metadata.json': JSON.stringify({ ...metadata, schemaVersion: 2 }),
      }),
    );
    expect(error.message).toBe(
      'The metadata file seed-cnn.metadata.json cannot be used: saved with metadata schema ' +
        'version 2; this app reads version 1.',
    );
  });

  it('refuses a graph model', async () => {
    const graph = await editedModelJson((json) => {
      (json as { format: string }).format = 'graph-model';
    });
    expect((await readError(await asFiles(graph))).message).toBe(
      'seed-cnn.json is a TensorFlow.js graph-model; this app loads layers models ' +
        '(format "layers-model").',
    );
  });
});
