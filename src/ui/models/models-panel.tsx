import { useId } from 'react';
import { getArchitectureInfo } from '../../model/architecture-catalog';
import { AlertList, StatusLine } from '../feedback/messages';
import { FileInput } from '../forms/file-input';
import type { CurrentModel } from './current-model';
import { ModelActions } from './model-actions';
import { SavedModelsList } from './saved-models-list';
import { StorageUsageLine } from './storage-usage';
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
  /** The section's number on the page (it follows Results only when Results is shown). */
  sectionNumber: number;
}

/** The reason ends the sentence the panel builds around it, so its own full stop goes. */
const withoutFinalStop = (text: string): string => text.replace(/\.\s*$/, '');

/** Which model is current and where it came from. */
function CurrentModelLine({ current }: { current: CurrentModel | null }) {
  if (!current) return <p className="muted">Train a model, or load one, to save or download it.</p>;
  return (
    <p>
      Current model: <strong>{current.name}</strong>{' '}
      <span className="muted">
        ({SOURCE_TEXT[current.source]}
        {current.architectureId ? `, ${getArchitectureInfo(current.architectureId).label}` : ''})
      </span>
    </p>
  );
}

/** Save, download and load models, and the list of saved ones. */
export function ModelsPanel(props: ModelsPanelProps) {
  const { current, saved } = props;
  const titleId = useId();
  return (
    <section className="panel" aria-labelledby={titleId}>
      <h2 id={titleId}>{props.sectionNumber} · Keep the model</h2>
      <CurrentModelLine current={current} />
      <ModelActions current={current} saved={saved} predict={props.predict} test={props.test} />
      <div className="model-files">
        <FileInput
          label="Model files"
          isMultiple
          accept=".json,.bin,application/json,application/octet-stream"
          onFiles={(files) => {
            if (files.length > 0) props.onModelFiles(files);
          }}
        />
        <span className="muted small">model.json + its .bin, and optionally the metadata.json</span>
      </div>
      {typeof saved.unavailableReason === 'string' && (
        <StatusLine className="alert">
          Saving in this browser is off: {withoutFinalStop(saved.unavailableReason)}. Training and
          downloads still work.
        </StatusLine>
      )}
      <AlertList messages={[saved.error, props.modelFilesError]} />
      {saved.notice && <StatusLine>{saved.notice}</StatusLine>}
      <StorageUsageLine estimate={saved.estimate} />
      <SavedModelsList saved={saved} onUseModel={props.onUseModel} />
    </section>
  );
}
