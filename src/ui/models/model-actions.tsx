import { useState } from 'react';
import { ExportProjectButton } from '../export/export-project-button';
import { LabelledInput } from '../forms/fields';
import type { CurrentModel } from './current-model';
import { downloadModel, metadataFor } from './download';
import { TestPredictionsDownload } from './test-predictions-download';
import type { SavedModelsController } from './use-saved-models';

/** The current model's files for an exported project to start from (continue training). */
async function initialModelOf(current: CurrentModel, name: string) {
  const metadata = await metadataFor({ ...current, name });
  if (!metadata) throw new Error('the model has no settings (it was loaded without metadata)');
  return { model: current.model, metadata, baseName: name };
}

/**
 * `Model name` and what can be done with the current model: Save, Download, test predictions,
 * and export as a training project that starts from its weights.
 */
export function ModelActions({
  current,
  saved,
  predict,
  test,
}: {
  current: CurrentModel | null;
  saved: SavedModelsController;
  predict?: (images: Uint8Array) => Promise<Float32Array>;
  test?: { images: Uint8Array; labels: Uint8Array; count: number };
}) {
  // Per model, so a name typed for one model is not offered for the next.
  const [nameByModel, setNameByModel] = useState<Record<string, string>>({});
  const name = current ? (nameByModel[current.id] ?? current.name) : '';
  const isStorageOff = typeof saved.unavailableReason === 'string';

  return (
    <div className="model-actions">
      <LabelledInput
        label="Model name"
        type="text"
        value={name}
        disabled={!current}
        onChange={(e) =>
          current && setNameByModel({ ...nameByModel, [current.id]: e.target.value })
        }
      />
      <button
        type="button"
        disabled={!current || isStorageOff || saved.isBusy || name.trim() === ''}
        onClick={() => current && void saved.save(current, name.trim())}
      >
        Save
      </button>
      <button
        type="button"
        disabled={!current}
        onClick={() =>
          current && void downloadModel({ ...current, name: name.trim() || current.name })
        }
      >
        Download
      </button>
      <TestPredictionsDownload current={current} baseName={name} predict={predict} test={test} />
      <ExportProjectButton
        params={current?.trainingParams ?? null}
        stem={name.trim() || (current?.name ?? 'model')}
        getInitialModel={
          current ? () => initialModelOf(current, name.trim() || current.name) : undefined
        }
      />
    </div>
  );
}
