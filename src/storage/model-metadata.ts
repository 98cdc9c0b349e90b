/**
 * The versioned metadata stored beside each saved model, and the guard that checks it on the
 * way back in. No tfjs here (the tfjs version is an argument), so the UI can list saved
 * models without loading TensorFlow.js.
 */
import { isRecord } from '../shared/guards';
import { isArchitectureId, type ArchitectureId } from '../model/architecture-catalog';
import { CLASS_NAMES, IMAGE_SIZE_PX, NUM_CLASSES } from '../config/dataset';
import type { SerializedModel } from '../training/run-types';
import { findTrainingParamsProblem, type TrainingParams } from '../training/training-params';

/** Bump when a field changes meaning or shape; old records then show up as unreadable. */
export const MODEL_METADATA_SCHEMA_VERSION = 1;

/** How pixels become model input: uint8 0–255 divided by 255, giving float32 in [0, 1]. */
export type InputNormalization = 'divide-by-255';

export interface ModelMetadata {
  schemaVersion: typeof MODEL_METADATA_SCHEMA_VERSION;
  id: string;
  /** What the user called it; not necessarily unique. */
  name: string;
  architectureId: ArchitectureId;
  /** Class names in output order (10). */
  classNames: string[];
  /** [height, width, channels] = [28, 28, 1]. */
  inputShape: [number, number, number];
  normalization: InputNormalization;
  trainingParams: TrainingParams;
  /** Epochs whose every batch ran (may be below trainingParams.epochs after a stop). */
  epochsCompleted: number;
  /** Fractions in [0, 1], last epoch's; null when not measured (e.g. validation fraction 0). */
  trainingAccuracy: number | null;
  validationAccuracy: number | null;
  testAccuracy: number | null;
  /** `tf.version.tfjs` of the app that saved it. */
  tfjsVersion: string;
  /** ISO 8601 time of the save. */
  createdAt: string;
  /** Topology JSON + weight specs JSON + weight bytes, in bytes. */
  sizeBytes: number;
}

/**
 * What the caller knows about a model to save; createModelMetadata fills in the rest (the
 * facts every model of this app shares, and the schema version).
 */
export type ModelMetadataInput = Omit<
  ModelMetadata,
  'schemaVersion' | 'architectureId' | 'classNames' | 'inputShape' | 'normalization' | 'createdAt'
> & { createdAt: Date };

/** Bytes the model occupies: topology and weight specs as UTF-8 JSON, plus the weights. */
export function serializedModelSizeBytes(model: SerializedModel): number {
  const encoder = new TextEncoder();
  return (
    encoder.encode(JSON.stringify(model.modelTopology)).byteLength +
    encoder.encode(JSON.stringify(model.weightSpecs)).byteLength +
    model.weightData.byteLength
  );
}

export function createModelMetadata(input: ModelMetadataInput): ModelMetadata {
  const metadata: ModelMetadata = {
    schemaVersion: MODEL_METADATA_SCHEMA_VERSION,
    id: input.id,
    name: input.name,
    architectureId: input.trainingParams.architectureId,
    classNames: [...CLASS_NAMES],
    inputShape: [IMAGE_SIZE_PX, IMAGE_SIZE_PX, 1],
    normalization: 'divide-by-255',
    trainingParams: { ...input.trainingParams },
    epochsCompleted: input.epochsCompleted,
    trainingAccuracy: input.trainingAccuracy,
    validationAccuracy: input.validationAccuracy,
    testAccuracy: input.testAccuracy,
    tfjsVersion: input.tfjsVersion,
    createdAt: input.createdAt.toISOString(),
    sizeBytes: input.sizeBytes,
  };
  // Refuse to write what we could not read back.
  const problem = findMetadataProblem(metadata);
  if (problem) throw new Error(`Invalid model metadata: ${problem}`);
  return metadata;
}

export function isModelMetadata(value: unknown): value is ModelMetadata {
  return findMetadataProblem(value) === null;
}

/** A short reason, for the UI, why a stored value is not readable metadata. */
export function describeUnreadable(value: unknown): string {
  return findMetadataProblem(value) ?? 'readable';
}

type Fields = Record<string, unknown>;

const isNonNegativeInteger = (value: unknown): boolean =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isFraction = (value: unknown): boolean =>
  typeof value === 'number' && value >= 0 && value <= 1;
const isNonEmptyString = (value: unknown): boolean => typeof value === 'string' && value.length > 0;

/** null when `value` is valid ModelMetadata of the current schema, else what is wrong. */
function findMetadataProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'metadata is missing or not an object';
  if (value.schemaVersion !== MODEL_METADATA_SCHEMA_VERSION) {
    return typeof value.schemaVersion === 'number'
      ? `saved with metadata schema version ${value.schemaVersion}; this app reads version ${MODEL_METADATA_SCHEMA_VERSION}`
      : 'metadata has no schema version';
  }
  if (!isNonEmptyString(value.id)) return 'id is missing';
  if (typeof value.name !== 'string') return 'name is missing';
  if (!isArchitectureId(value.architectureId)) {
    return `unknown architecture ${JSON.stringify(value.architectureId)}`;
  }
  const classNames = value.classNames;
  if (
    !Array.isArray(classNames) ||
    classNames.length !== NUM_CLASSES ||
    !classNames.every((name) => typeof name === 'string')
  ) {
    return `class names are not ${NUM_CLASSES} strings`;
  }
  const shape = value.inputShape;
  if (
    !Array.isArray(shape) ||
    shape.length !== 3 ||
    shape[0] !== IMAGE_SIZE_PX ||
    shape[1] !== IMAGE_SIZE_PX ||
    shape[2] !== 1
  ) {
    return `input shape is not [${IMAGE_SIZE_PX}, ${IMAGE_SIZE_PX}, 1]`;
  }
  if (value.normalization !== 'divide-by-255') {
    return `unknown input normalisation ${JSON.stringify(value.normalization)}`;
  }
  const paramsProblem = findTrainingParamsProblem(value.trainingParams);
  if (paramsProblem) return paramsProblem;
  if ((value.trainingParams as Fields).architectureId !== value.architectureId) {
    return 'architecture differs from the training parameters';
  }
  if (!isNonNegativeInteger(value.epochsCompleted)) return 'epochs completed is not an integer';
  for (const field of ['trainingAccuracy', 'validationAccuracy', 'testAccuracy'] as const) {
    if (value[field] !== null && !isFraction(value[field])) {
      return `${field} is neither null nor a fraction in [0, 1]`;
    }
  }
  if (!isNonEmptyString(value.tfjsVersion)) return 'TensorFlow.js version is missing';
  if (typeof value.createdAt !== 'string' || Number.isNaN(Date.parse(value.createdAt))) {
    return 'creation time is not a date';
  }
  if (!isNonNegativeInteger(value.sizeBytes)) return 'size is not a byte count';
  return null;
}
