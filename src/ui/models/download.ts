/** Downloads a model as TensorFlow.js layers files plus our metadata (model-download-files.ts). */
import type { ModelMetadata } from '../../storage/model-metadata';
import { saveFile } from '../save-file';
import type { CurrentModel } from './current-model';

/** Metadata for a model that has none stored yet (just trained, or from files with it). */
export async function metadataFor(current: CurrentModel): Promise<ModelMetadata | null> {
  if (!current.trainingParams || !current.tfjsVersion) return null;
  const { createModelMetadata, serializedModelSizeBytes } =
    await import('../../storage/model-metadata');
  return createModelMetadata({
    id: current.id,
    name: current.name,
    trainingParams: current.trainingParams,
    epochsCompleted: current.epochsCompleted,
    trainingAccuracy: current.trainingAccuracy,
    validationAccuracy: current.validationAccuracy,
    testAccuracy: current.testAccuracy,
    tfjsVersion: current.tfjsVersion,
    createdAt: new Date(),
    sizeBytes: serializedModelSizeBytes(current.model),
  });
}

/** Starts the downloads; resolves with the file names handed to the browser. */
export async function downloadModel(
  current: CurrentModel,
  storedMetadata: ModelMetadata | null = null,
): Promise<string[]> {
  const { createModelDownloadFiles } = await import('../../storage/model-download-files');
  const metadata = storedMetadata ?? (await metadataFor(current));
  const files = createModelDownloadFiles(current.model, metadata, current.name);
  for (const file of files) saveFile(file.name, file.blob);
  return files.map((f) => f.name);
}
