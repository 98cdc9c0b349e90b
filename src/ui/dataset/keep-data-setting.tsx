import type { LoadedSplit } from '../../data/ingest-types';
import { Alert, StatusLine } from '../feedback/messages';
import type { KeptDatasetStatus } from './dataset-keeper';
import type { KeptDataset } from './use-kept-dataset';

/** What browser storage holds, or is doing, in the words of the status line. */
function describeKeptStatus(
  status: Exclude<KeptDatasetStatus, { kind: 'error' } | { kind: 'lost' }>,
): string {
  switch (status.kind) {
    case 'restoring':
      return 'Looking for data kept in this browser…';
    case 'saving':
      return 'Keeping the data in this browser…';
    case 'kept':
      return `Kept in this browser: ${status.splits}.`;
    case 'off':
      return 'The data is not kept: a reload needs the files again.';
    case 'unavailable':
      return `The data cannot be kept: browser storage is not available here (${status.message})`;
    case 'idle':
      return '';
  }
}

/** The opt-out of keeping the data in browser storage, and what that storage holds. */
export function KeepDataSetting({ kept, loaded }: { kept: KeptDataset; loaded: LoadedSplit[] }) {
  const { status } = kept;
  return (
    <div className="keep-data">
      <label>
        <input
          type="checkbox"
          checked={kept.isKeepingData && status.kind !== 'unavailable'}
          disabled={status.kind === 'unavailable'}
          onChange={(event) => kept.setKeepingData(event.currentTarget.checked, loaded)}
        />{' '}
        Keep the loaded data in this browser (about 55 MB for the full set), so it is back after a
        reload and an interrupted run can resume
      </label>
      {status.kind === 'error' || status.kind === 'lost' ? (
        <Alert>{status.message}</Alert>
      ) : (
        <StatusLine className="muted small">{describeKeptStatus(status)}</StatusLine>
      )}
    </div>
  );
}
