/**
 * The model the app is working with: just trained, loaded from the browser's storage, or
 * loaded from files. Plain data (topology JSON + one weights ArrayBuffer); tensors live only
 * in the training engine.
 */
import type { ArchitectureId } from '../../model/architecture-catalog';
import type { ModelMetadata } from '../../storage/model-metadata';
import type { SerializedModel } from '../../training/run-types';
import type { TrainingParams } from '../../training/training-params';
import type { TrainedSummary } from '../training/training-run-options';

export type CurrentModelSource = 'trained' | 'saved' | 'file';

export interface CurrentModel {
  /** New for every model the app holds; the engine caches a deserialized model under it. */
  id: string;
  source: CurrentModelSource;
  name: string;
  model: SerializedModel;
  /** Null when loaded from files without a metadata.json. */
  architectureId: ArchitectureId | null;
  trainingParams: TrainingParams | null;
  epochsCompleted: number;
  trainingAccuracy: number | null;
  validationAccuracy: number | null;
  testAccuracy: number | null;
  /** TensorFlow.js version that trained or saved it, when known. */
  tfjsVersion: string | null;
}

/** Time plus 32 random bits: unique within a tab without a counter kept by the module. */
function newCurrentModelId(): string {
  const [random] = crypto.getRandomValues(new Uint32Array(1));
  return `model-${Date.now()}-${random.toString(36)}`;
}

/** Default `Model name`: architecture and local date-time, e.g. "seed-cnn 2026-11-28 21:40". */
export function defaultModelName(architectureId: string | null, date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return `${architectureId ?? 'model'} ${stamp}`;
}

export function fromMetadata(
  model: SerializedModel,
  metadata: ModelMetadata,
  source: CurrentModelSource,
): CurrentModel {
  return {
    id: newCurrentModelId(),
    source,
    name: metadata.name,
    model,
    architectureId: metadata.architectureId,
    trainingParams: metadata.trainingParams,
    epochsCompleted: metadata.epochsCompleted,
    trainingAccuracy: metadata.trainingAccuracy,
    validationAccuracy: metadata.validationAccuracy,
    testAccuracy: metadata.testAccuracy,
    tfjsVersion: metadata.tfjsVersion,
  };
}

/** A model just trained in this tab, named `name`. */
export function fromTraining(
  model: SerializedModel,
  name: string,
  summary: TrainedSummary,
): CurrentModel {
  return {
    id: newCurrentModelId(),
    source: 'trained',
    name,
    model,
    architectureId: summary.params.architectureId,
    trainingParams: summary.params,
    epochsCompleted: summary.epochsCompleted,
    trainingAccuracy: summary.trainingAccuracy,
    validationAccuracy: summary.validationAccuracy,
    testAccuracy: summary.testAccuracy,
    tfjsVersion: summary.tfjsVersion ?? null,
  };
}

/**
 * A model read from files: described by its metadata when one came with it, else only named
 * after its model JSON, `modelFileName` (architecture and settings unknown).
 */
export function fromFiles(
  model: SerializedModel,
  metadata: ModelMetadata | null,
  modelFileName: string,
): CurrentModel {
  if (metadata) return fromMetadata(model, metadata, 'file');
  return {
    id: newCurrentModelId(),
    source: 'file',
    name: modelFileName.replace(/\.json$/i, ''),
    model,
    architectureId: null,
    trainingParams: null,
    epochsCompleted: 0,
    trainingAccuracy: null,
    validationAccuracy: null,
    testAccuracy: null,
    tfjsVersion: null,
  };
}
