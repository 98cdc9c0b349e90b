/**
 * Hands files to the browser's downloads. One anchor click per file: `downloads://` in tfjs
 * does the same, and Chromium may ask once before allowing several downloads from one page.
 */
import type { ModelMetadata } from '../../storage/model-metadata';
import type { CurrentModel } from './current-model';

/** Metadata for a model that has none stored yet (just trained, or from files). */
async function metadataFor(current: CurrentModel): Promise<ModelMetadata | null> {
  if (!current.trainingParams) return null;
  const [{ createModelMetadata }, { serializedModelSizeBytes }, tf] = await Promise.all([
    import('../../storage/model-metadata'),
    import('../../storage/model-store'),
    import('@tensorflow/tfjs'),
  ]);
  return createModelMetadata({
    id: current.id,
    name: current.name,
    trainingParams: current.trainingParams,
    epochsCompleted: current.epochsCompleted,
    trainingAccuracy: current.trainingAccuracy,
    validationAccuracy: current.validationAccuracy,
    testAccuracy: current.testAccuracy,
    tfjsVersion: tf.version.tfjs,
    createdAt: new Date(),
    sizeBytes: serializedModelSizeBytes(current.model),
  });
}

export async function downloadModel(
  current: CurrentModel,
  storedMetadata: ModelMetadata | null = null,
): Promise<string[]> {
  const { createModelDownloadFiles } = await import('../../storage/model-files');
  const metadata = storedMetadata ?? (await metadataFor(current));
  const files = createModelDownloadFiles(current.model, metadata, current.name);
  for (const file of files) {
    const url = URL.createObjectURL(file.blob);
    const anchor = document.createElement('a');
    anchor.href = url;
    anchor.download = file.name;
    document.body.append(anchor);
    anchor.click();
    anchor.remove();
    // Revoke later: the download may still be reading the blob.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
  return files.map((f) => f.name);
}
