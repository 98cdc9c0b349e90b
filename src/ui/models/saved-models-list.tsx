import { useId } from 'react';
import type { CurrentModel } from './current-model';
import { SavedModelItem } from './saved-model-item';
import type { SavedModelsController } from './use-saved-models';

/** `Saved models`: what this browser keeps, newest first. */
export function SavedModelsList({
  saved,
  onUseModel,
}: {
  saved: SavedModelsController;
  onUseModel: (model: CurrentModel) => void;
}) {
  const titleId = useId();
  return (
    <>
      <h3 id={titleId}>Saved models</h3>
      {saved.entries.length === 0 ? (
        <p className="muted">{saved.unavailableReason === undefined ? 'Checking…' : 'None yet.'}</p>
      ) : null}
      <ul aria-labelledby={titleId} className="saved-models">
        {saved.entries.map((entry) => (
          <SavedModelItem key={entry.key} entry={entry} saved={saved} onUseModel={onUseModel} />
        ))}
      </ul>
    </>
  );
}
