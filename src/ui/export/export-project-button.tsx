import { useState } from 'react';
import { errorMessage } from '../../shared/errors';
import type { InitialModel } from '../../export/training-project';
import type { TrainingParams } from '../../training/training-params';
import { downloadTrainingProject } from './export-project';

export interface ExportProjectButtonProps {
  /** The run's settings; null when they are unknown (the button is then off). */
  params: TrainingParams | null;
  /** Name of the .zip and its folder, before `-training-project`. */
  stem: string;
  /** A model's files to start from, read when the button is pressed. */
  getInitialModel?: () => Promise<InitialModel>;
  /** Accessible name when several buttons share the visible text (one per run). */
  label?: string;
}

/**
 * `Export as a training project`: downloads the run as PyTorch and Keras projects (.zip),
 * saying in an alert beside the button when that fails.
 */
export function ExportProjectButton({
  params,
  stem,
  getInitialModel,
  label,
}: ExportProjectButtonProps) {
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const onClick = async () => {
    if (!params) return;
    setIsBusy(true);
    setError(null);
    try {
      await downloadTrainingProject(params, stem, await getInitialModel?.());
    } catch (cause) {
      setError(`Could not export the training project: ${errorMessage(cause)}`);
    } finally {
      setIsBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        disabled={!params || isBusy}
        aria-label={label}
        title={params ? undefined : 'The settings of this model are unknown (no metadata).'}
        onClick={() => void onClick()}
      >
        Export as a training project
      </button>
      {error && (
        <span role="alert" className="alert">
          {error}
        </span>
      )}
    </>
  );
}
