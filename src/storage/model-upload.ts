/**
 * Reading a model a person uploads (`Model files`): one tfjs layers model JSON, the weight
 * files its manifest names, and optionally our metadata JSON, checked to be a 28×28×1 → 10-class
 * model. No tfjs import, so the main thread reads files without loading TensorFlow.js.
 *
 * Every problem with uploaded files is a StorageError of kind 'unreadable' whose message names
 * the file and says what is wrong, so the UI can show it as it is.
 */
import { IMAGE_SIZE_PX, NUM_CLASSES } from '../config/dataset';
import { isRecord } from '../shared/guards';
import type { SerializedModel } from '../training/run-types';
import {
  LAYERS_MODEL_FORMAT,
  MODEL_JSON_SUFFIX,
  type WeightsManifestGroup,
} from './model-download-files';
import { describeUnreadable, isModelMetadata, type ModelMetadata } from './model-metadata';
import { StorageError } from './storage-error';

type WeightSpec = SerializedModel['weightSpecs'][number];

export interface ReadModelFilesResult {
  model: SerializedModel;
  /** null when no metadata JSON was among the files. */
  metadata: ModelMetadata | null;
  /** The name of the model JSON among the files, which messages about the model start with. */
  modelFileName: string;
}

/** [batch, height, width, channels] the app feeds: any batch of 28×28 grayscale images. */
const EXPECTED_INPUT_SHAPE: readonly (number | null)[] = [null, IMAGE_SIZE_PX, IMAGE_SIZE_PX, 1];

/** Bytes per stored element (tfjs-core io/types.ts DTYPE_VALUE_SIZE_MAP). */
const DTYPE_BYTES: Readonly<Record<string, number>> = {
  float32: 4,
  float16: 2,
  int32: 4,
  uint16: 2,
  uint8: 1,
  bool: 1,
  complex64: 8,
};

function unreadable(message: string, cause?: unknown): StorageError {
  return new StorageError('unreadable', message, cause === undefined ? undefined : { cause });
}

type Fields = Record<string, unknown>;

/** Last path segment, as tfjs's io `basename` matches manifest paths to files. */
function basename(path: string): string {
  const parts = path.trim().replace(/\/+$/, '').split('/');
  return parts[parts.length - 1];
}

const formatShape = (shape: unknown): string =>
  Array.isArray(shape)
    ? `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`
    : String(shape);

function readManifest(value: unknown, fileName: string): WeightsManifestGroup[] {
  const isGroup = (group: unknown): group is WeightsManifestGroup =>
    isRecord(group) &&
    Array.isArray(group.paths) &&
    group.paths.every((path) => typeof path === 'string') &&
    Array.isArray(group.weights) &&
    group.weights.every(
      (spec) =>
        isRecord(spec) &&
        typeof spec.name === 'string' &&
        typeof spec.dtype === 'string' &&
        Array.isArray(spec.shape) &&
        spec.shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0),
    );
  if (!Array.isArray(value) || !value.every(isGroup)) {
    throw unreadable(
      `${fileName} has a damaged weightsManifest: each entry needs paths and weights with ` +
        'name, shape and dtype.',
    );
  }
  return value;
}

/** Bytes the weights of `specs` occupy in the .bin file(s). */
function manifestByteLength(specs: WeightSpec[], fileName: string): number {
  let total = 0;
  for (const spec of specs) {
    // Quantized weights are stored in the quantized dtype, not the one they decode to.
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    const bytes = DTYPE_BYTES[dtype];
    if (bytes === undefined) {
      throw unreadable(
        `${fileName}: weight "${spec.name}" has dtype ${dtype}, which this app cannot read.`,
      );
    }
    total += spec.shape.reduce((product, d) => product * d, 1) * bytes;
  }
  return total;
}

interface TopologyLayer {
  className: string;
  name: string;
  config: Fields;
}

/** The layer list of a Keras/tfjs topology, Sequential or functional; null if none. */
function topologyLayers(topology: Fields): { layers: TopologyLayer[]; config: Fields } | null {
  // model.json of Python Keras nests the topology under model_config.
  const model = isRecord(topology.model_config) ? topology.model_config : topology;
  // Old Keras Sequential files have the layer list itself as config.
  const config: Fields = Array.isArray(model.config)
    ? { layers: model.config }
    : isRecord(model.config)
      ? model.config
      : {};
  if (!Array.isArray(config.layers)) return null;
  const layers = config.layers.filter(isRecord).map((layer) => ({
    className: typeof layer.class_name === 'string' ? layer.class_name : '',
    config: isRecord(layer.config) ? layer.config : {},
    name:
      typeof layer.name === 'string'
        ? layer.name
        : isRecord(layer.config) && typeof layer.config.name === 'string'
          ? layer.config.name
          : '',
  }));
  return { layers, config };
}

/** Keras 2 / tfjs write batch_input_shape, Keras 3 batch_shape. */
function batchInputShape(layer: TopologyLayer | undefined): unknown {
  return layer?.config.batch_input_shape ?? layer?.config.batch_shape;
}

/** Names in Keras' `input_layers` / `output_layers`: `[[name, nodeIndex, tensorIndex], …]`. */
function endpointNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((entry) => (Array.isArray(entry) ? String(entry[0]) : String(entry)));
}

function checkModelShape(topology: object, fileName: string): void {
  const found = isRecord(topology) ? topologyLayers(topology) : null;
  if (!found || found.layers.length === 0) {
    throw unreadable(
      `${fileName} has no layers in its modelTopology, so it is not a layers model.`,
    );
  }
  const { layers, config } = found;
  const inputNames = endpointNames(config.input_layers);
  if (inputNames.length > 1) {
    throw unreadable(
      `The model in ${fileName} has ${inputNames.length} inputs; this app feeds one input of ` +
        `shape ${formatShape(EXPECTED_INPUT_SHAPE)}.`,
    );
  }
  // Functional models name their input layer; Sequential ones carry the shape on layer 0.
  const inputLayer =
    inputNames.length === 1 ? layers.find((layer) => layer.name === inputNames[0]) : layers[0];
  const inputShape = batchInputShape(inputLayer);
  if (inputShape === undefined) {
    throw unreadable(
      `Could not determine the input shape of the model in ${fileName}: its first layer has ` +
        'no batch_input_shape. This app needs input shape ' +
        `${formatShape(EXPECTED_INPUT_SHAPE)}.`,
    );
  }
  const inputMatches =
    Array.isArray(inputShape) &&
    inputShape.length === EXPECTED_INPUT_SHAPE.length &&
    inputShape.every((d, i) => d === EXPECTED_INPUT_SHAPE[i]);
  if (!inputMatches) {
    throw unreadable(
      `The model in ${fileName} takes input of shape ${formatShape(inputShape)}; this app ` +
        `needs ${formatShape(EXPECTED_INPUT_SHAPE)} (28×28 grayscale images).`,
    );
  }

  const outputNames = endpointNames(config.output_layers);
  if (outputNames.length > 1) {
    throw unreadable(
      `The model in ${fileName} has ${outputNames.length} outputs; this app needs one output ` +
        `of ${NUM_CLASSES} classes.`,
    );
  }
  const lastDense = [...layers].reverse().find((layer) => layer.className === 'Dense');
  const units = lastDense?.config.units;
  if (typeof units !== 'number') {
    throw unreadable(
      `Could not determine how many classes the model in ${fileName} outputs: it has no ` +
        `Dense layer with units. This app needs ${NUM_CLASSES} classes.`,
    );
  }
  if (units !== NUM_CLASSES) {
    throw unreadable(
      `The model in ${fileName} outputs ${units} classes (units of its last Dense layer ` +
        `"${lastDense?.name ?? ''}"); this app needs ${NUM_CLASSES}.`,
    );
  }
}

const hasSuffix = (name: string, suffix: string): boolean =>
  name.toLowerCase().endsWith(suffix.toLowerCase());

/** A JSON file the person chose, parsed. */
interface ParsedJson {
  file: File;
  value: unknown;
}

/**
 * Reads an uploaded model: one tfjs layers `*.json` (has modelTopology and weightsManifest),
 * the `.bin` file(s) its manifest names (matched by file name; shards concatenated in
 * manifest order) and optionally our metadata JSON (has schemaVersion). Files that are none
 * of these are ignored. Throws StorageError 'unreadable' with a message for the user when
 * anything is missing, damaged, or not a 28×28×1 → 10-class model.
 */
export async function readModelFiles(files: File[]): Promise<ReadModelFilesResult> {
  const parsed = await parseJsonFiles(files);
  const { file: modelFile, value } = findModelJson(parsed, files);
  const modelJson = value as Fields;
  if (modelJson.format !== undefined && modelJson.format !== LAYERS_MODEL_FORMAT) {
    throw unreadable(
      `${modelFile.name} is a TensorFlow.js ${String(modelJson.format)}; this app loads ` +
        `layers models (format "${LAYERS_MODEL_FORMAT}").`,
    );
  }
  if (!isRecord(modelJson.modelTopology)) {
    throw unreadable(`${modelFile.name} has no JSON modelTopology.`);
  }
  const modelTopology = modelJson.modelTopology;
  const manifest = readManifest(modelJson.weightsManifest, modelFile.name);
  checkModelShape(modelTopology, modelFile.name);
  const weightSpecs = manifest.flatMap((group) => group.weights);
  const weightData = await readWeights(manifest, files, modelFile.name);
  return {
    model: { modelTopology, weightSpecs, weightData },
    metadata: readMetadata(parsed),
    modelFileName: modelFile.name,
  };
}

async function parseJsonFiles(files: File[]): Promise<ParsedJson[]> {
  const parsed: ParsedJson[] = [];
  for (const file of files.filter((f) => hasSuffix(f.name, MODEL_JSON_SUFFIX))) {
    const text = await file.text();
    try {
      parsed.push({ file, value: JSON.parse(text) });
    } catch (error) {
      throw unreadable(`${file.name} is not valid JSON, so it cannot be read.`, error);
    }
  }
  return parsed;
}

/** The one model JSON among the parsed files. */
function findModelJson(parsed: ParsedJson[], files: File[]): ParsedJson {
  const models = parsed.filter(
    ({ value }) => isRecord(value) && 'modelTopology' in value && 'weightsManifest' in value,
  );
  if (models.length === 0) {
    const given = files.length === 0 ? 'no files' : files.map((file) => file.name).join(', ');
    throw unreadable(
      'None of the files is a TensorFlow.js model JSON (a .json file with modelTopology and ' +
        `weightsManifest). Got: ${given}.`,
    );
  }
  if (models.length > 1) {
    throw unreadable(
      `Several model JSON files were given (${models.map(({ file }) => file.name).join(', ')}); ` +
        'choose the files of one model.',
    );
  }
  return models[0];
}

/** The weight files the manifest names, checked against its sizes and joined in its order. */
async function readWeights(
  manifest: WeightsManifestGroup[],
  files: File[],
  modelFileName: string,
): Promise<ArrayBuffer> {
  const filesByName = new Map(files.map((file) => [file.name, file]));
  const weightFiles: File[] = [];
  for (const path of manifest.flatMap((group) => group.paths)) {
    const name = basename(path);
    const file = filesByName.get(name);
    if (!file) {
      throw unreadable(
        `${modelFileName} names the weights file ${name}, which was not among the files. ` +
          'Choose it together with the model JSON.',
      );
    }
    weightFiles.push(file);
  }
  const weightSpecs = manifest.flatMap((group) => group.weights);
  const expectedBytes = manifestByteLength(weightSpecs, modelFileName);
  const foundBytes = weightFiles.reduce((sum, file) => sum + file.size, 0);
  if (foundBytes !== expectedBytes) {
    throw unreadable(
      `The weights in ${weightFiles.map((file) => file.name).join(', ')} do not fit the model: ` +
        `expected ${expectedBytes} bytes from the manifest in ${modelFileName}, ` +
        `found ${foundBytes}.`,
    );
  }
  const weightData = new Uint8Array(expectedBytes);
  let offset = 0;
  for (const file of weightFiles) {
    weightData.set(new Uint8Array(await file.arrayBuffer()), offset);
    offset += file.size;
  }
  return weightData.buffer;
}

/** Our metadata JSON among the parsed files, checked; null when there is none. */
function readMetadata(parsed: ParsedJson[]): ModelMetadata | null {
  const entries = parsed.filter(({ value }) => isRecord(value) && 'schemaVersion' in value);
  if (entries.length > 1) {
    throw unreadable(
      `Several metadata files were given (${entries.map(({ file }) => file.name).join(', ')}); ` +
        'choose at most one.',
    );
  }
  if (entries.length === 0) return null;
  const { file, value } = entries[0];
  if (!isModelMetadata(value)) {
    throw unreadable(
      `The metadata file ${file.name} cannot be used: ${describeUnreadable(value)}.`,
    );
  }
  return value;
}
