import { useId, useState } from 'react';
import { getArchitectureInfo } from '../../model/architecture-catalog';
import type { SavedModelEntry } from '../../storage/model-store';
import { formatBytes, formatPercent } from '../format';
import { fromMetadata, type CurrentModel } from './current-model';
import { downloadModel } from './download';
import { TestPredictionsDownload } from './test-predictions-download';
import type { SavedModelsController } from './use-saved-models';

const SOURCE_TEXT: Record<CurrentModel['source'], string> = {
  trained: 'trained in this tab',
  saved: 'loaded from this browser',
  file: 'loaded from files',
};

export interface ModelsPanelProps {
  current: CurrentModel | null;
  saved: SavedModelsController;
  /** Makes a loaded model current (and evaluates it when the test set is loaded). */
  onUseModel: (model: CurrentModel) => void;
  /** Reads model.json + .bin (+ metadata.json) chosen by the person. */
  onModelFiles: (files: File[]) => void;
  modelFilesError: string | null;
  /**
   * The current model's probabilities, float32 [n × 10], for uint8 [n × 784] images (Try it's
   * path). With `test`, enables `Download test predictions`; the button is off without them.
   */
  predict?: (images: Uint8Array) => Promise<Float32Array>;
  test?: { images: Uint8Array; labels: Uint8Array; count: number };
}

/** The reason ends the sentence the panel builds around it, so its own full stop goes. */
const withoutFinalStop = (text: string): string => text.replace(/\.\s*$/, '');

function SavedModelItem({
  entry,
  saved,
  onUseModel,
}: {
  entry: SavedModelEntry;
  saved: SavedModelsController;
  onUseModel: (model: CurrentModel) => void;
}) {
  const [isConfirmingDelete, setIsConfirmingDelete] = useState(false);
  const id = 'metadata' in entry ? entry.metadata.id : entry.key;
  const name = 'metadata' in entry ? entry.metadata.name : 'Unreadable saved model';

  const load = async () => {
    const loaded = await saved.load(id);
    if (loaded) onUseModel(fromMetadata(loaded.model, loaded.metadata, 'saved'));
  };
  const download = async () => {
    const loaded = await saved.load(id);
    if (loaded)
      await downloadModel(fromMetadata(loaded.model, loaded.metadata, 'saved'), loaded.metadata);
  };

  return (
    <li className="saved-model" aria-label={name}>
      {'metadata' in entry ? (
        <span>
          <strong>{entry.metadata.name}</strong>{' '}
          <span className="muted">
            · {new Date(entry.metadata.createdAt).toLocaleString()} ·{' '}
            {getArchitectureInfo(entry.metadata.architectureId).label} · test accuracy{' '}
            {entry.metadata.testAccuracy === null
              ? '–'
              : formatPercent(entry.metadata.testAccuracy)}{' '}
            · {formatBytes(entry.metadata.sizeBytes)}
          </span>
        </span>
      ) : (
        <span>
          <strong>Unreadable saved model</strong>{' '}
          <span className="muted">({entry.unreadable})</span>
        </span>
      )}{' '}
      {'metadata' in entry && (
        <>
          <button type="button" disabled={saved.isBusy} onClick={() => void load()}>
            Load
          </button>{' '}
          <button type="button" disabled={saved.isBusy} onClick={() => void download()}>
            Download
          </button>{' '}
        </>
      )}
      {isConfirmingDelete ? (
        <span role="group" aria-label={`Confirm deleting ${name}`}>
          Delete “{name}” for good?{' '}
          <button
            type="button"
            onClick={() => {
              setIsConfirmingDelete(false);
              void saved.remove(id);
            }}
          >
            Yes, delete
          </button>{' '}
          <button type="button" onClick={() => setIsConfirmingDelete(false)}>
            Cancel
          </button>
        </span>
      ) : (
        <button type="button" disabled={saved.isBusy} onClick={() => setIsConfirmingDelete(true)}>
          Delete
        </button>
      )}
    </li>
  );
}

export function ModelsPanel({
  current,
  saved,
  onUseModel,
  onModelFiles,
  modelFilesError,
  predict,
  test,
}: ModelsPanelProps) {
  const id = useId();
  const [nameByModel, setNameByModel] = useState<Record<string, string>>({});
  const name = current ? (nameByModel[current.id] ?? current.name) : '';
  const isStorageOff = typeof saved.unavailableReason === 'string';

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>4 · Keep the model</h2>
      {current ? (
        <p>
          Current model: <strong>{current.name}</strong>{' '}
          <span className="muted">
            ({SOURCE_TEXT[current.source]}
            {current.architectureId ? `, ${getArchitectureInfo(current.architectureId).label}` : ''}
            )
          </span>
        </p>
      ) : (
        <p className="muted">Train a model, or load one, to save or download it.</p>
      )}
      <div className="model-actions">
        <label htmlFor={`${id}-name`}>Model name</label>
        <input
          id={`${id}-name`}
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
      <div className="model-files">
        <label htmlFor={`${id}-files`}>Model files</label>
        <input
          id={`${id}-files`}
          type="file"
          multiple
          accept=".json,.bin,application/json,application/octet-stream"
          onChange={(event) => {
            const files = Array.from(event.currentTarget.files ?? []);
            event.currentTarget.value = '';
            if (files.length > 0) onModelFiles(files);
          }}
        />
        <span className="muted small">model.json + its .bin, and optionally the metadata.json</span>
      </div>
      {isStorageOff && (
        <p role="status" className="alert">
          Saving in this browser is off: {withoutFinalStop(saved.unavailableReason ?? '')}. Training
          and downloads still work.
        </p>
      )}
      {(saved.error || modelFilesError) && (
        <div role="alert" className="alert">
          {saved.error && <p>{saved.error}</p>}
          {modelFilesError && <p>{modelFilesError}</p>}
        </div>
      )}
      {saved.notice && (
        <p role="status" className="muted">
          {saved.notice}
        </p>
      )}
      <h3 id={`${id}-saved`}>Saved models</h3>
      {saved.entries.length === 0 ? (
        <p className="muted">{saved.unavailableReason === undefined ? 'Checking…' : 'None yet.'}</p>
      ) : null}
      <ul aria-labelledby={`${id}-saved`} className="saved-models">
        {saved.entries.map((entry) => (
          <SavedModelItem key={entry.key} entry={entry} saved={saved} onUseModel={onUseModel} />
        ))}
      </ul>
    </section>
  );
}
