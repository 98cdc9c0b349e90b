import { getArchitectureInfo } from '../../model/architecture-catalog';
import { formatCount } from '../format';
import type { ResumableRun } from './use-resumable-run';

export interface ResumePanelProps {
  run: ResumableRun;
  /** Whether the data loaded now is the data the run trained on. */
  hasMatchingData: boolean;
  canStart: boolean;
  onResume: () => void;
  onDiscard: () => void;
  error: string | null;
}

/** Offers to continue an unfinished run kept in browser storage. */
export function ResumePanel(props: ResumePanelProps) {
  const { run, hasMatchingData } = props;
  const { expectedCounts } = run;
  const info = getArchitectureInfo(run.params.architectureId);
  const savedAt = new Date(run.savedAt);
  return (
    <div className="resume-panel" role="group" aria-label="Unfinished run">
      <p>
        <strong>Unfinished run kept in this browser:</strong> {info.label}, {run.epochsCompleted} of{' '}
        {run.params.epochs} epochs done (checkpoint of {savedAt.toLocaleString()}).
      </p>
      {!hasMatchingData && (
        <p className="muted">
          To resume, load the data it trained on
          {expectedCounts
            ? ` (${formatCount(expectedCounts.train)} training and ${formatCount(expectedCounts.test)} test images)`
            : ''}
          .
        </p>
      )}
      <button type="button" onClick={props.onResume} disabled={!hasMatchingData || !props.canStart}>
        Resume training from epoch {run.epochsCompleted}
      </button>{' '}
      <button type="button" onClick={props.onDiscard} disabled={!props.canStart}>
        Discard unfinished run
      </button>
      {props.error && (
        <p role="alert" className="alert">
          {props.error}
        </p>
      )}
    </div>
  );
}
