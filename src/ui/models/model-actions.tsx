import { useState } from 'react';
import { LabelledInput } from '../forms/fields';
import type { CurrentModel } from './current-model';
import { downloadModel } from './download';
import { TestPredictionsDownload } from './test-predictions-download';
import type { SavedModelsController } from './use-saved-models';

/** `Model name` and what can be done with the current model: Save, Download, test predictions. */
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
    </div>
  );
}
