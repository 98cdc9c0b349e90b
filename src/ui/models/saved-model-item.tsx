import { getArchitectureInfo } from '../../model/architecture-catalog';
import type { ModelMetadata } from '../../storage/model-metadata';
import type { SavedModelEntry } from '../../storage/model-store';
import { formatBytes, formatPercent } from '../format';
import { fromMetadata, type CurrentModel } from './current-model';
import { DeleteButton } from './delete-button';
import { downloadModel } from './download';
import type { SavedModelsController } from './use-saved-models';

/** Name, date, architecture, test accuracy and size of a saved model. */
function SavedModelDescription({ metadata }: { metadata: ModelMetadata }) {
  return (
    <span>
      <strong>{metadata.name}</strong>{' '}
      <span className="muted">
        · {new Date(metadata.createdAt).toLocaleString()} ·{' '}
        {getArchitectureInfo(metadata.architectureId).label} · test accuracy{' '}
        {metadata.testAccuracy === null ? '–' : formatPercent(metadata.testAccuracy)} ·{' '}
        {formatBytes(metadata.sizeBytes)}
      </span>
    </span>
  );
}

/** One saved model with Load, Download and Delete; an unreadable one can only be deleted. */
export function SavedModelItem({
  entry,
  saved,
  onUseModel,
}: {
  entry: SavedModelEntry;
  saved: SavedModelsController;
  onUseModel: (model: CurrentModel) => void;
}) {
  const id = 'metadata' in entry ? entry.metadata.id : entry.key;
  const name = 'metadata' in entry ? entry.metadata.name : 'Unreadable saved model';

  /** The stored model as the current-model shape, with its stored metadata; null on failure. */
  const loadAsCurrent = async () => {
    const loaded = await saved.load(id);
    return loaded && { current: fromMetadata(loaded.model, loaded.metadata, 'saved'), loaded };
  };
  const load = async () => {
    const result = await loadAsCurrent();
    if (!result) return;
    onUseModel(result.current);
    // Said even when the same model was current already, so a click always shows its effect.
    saved.notify(`Loaded "${name}" from this browser.`);
  };
  const download = async () => {
    const result = await loadAsCurrent();
    if (result) await downloadModel(result.current, result.loaded.metadata);
  };

  return (
    <li className="saved-model" aria-label={name}>
      {'metadata' in entry ? (
        <SavedModelDescription metadata={entry.metadata} />
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
      <DeleteButton name={name} disabled={saved.isBusy} onDelete={() => void saved.remove(id)} />
    </li>
  );
}
