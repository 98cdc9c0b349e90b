/**
 * For a person without the files: load the sample the app ships, fetch the official files
 * (after saying where from and how big), or go to Kaggle for the CSVs. Whatever arrives goes to
 * `onFiles`, exactly as dropped files do.
 */
import {
  KAGGLE_DATASET_PAGE_URL,
  OFFICIAL_DATASET,
  OFFICIAL_DATASET_PAGE_URL,
  SAMPLE_DATASET,
  SAMPLE_TEST_COUNT,
  SAMPLE_TRAIN_COUNT,
  sourceBytes,
} from '../../data/dataset-download';
import { OFFICIAL_TEST_COUNT, OFFICIAL_TRAIN_COUNT } from '../../config/dataset';
import { Alert } from '../feedback/messages';
import { formatBytes, formatCount } from '../format';
import { useDatasetDownload, type DatasetDownloadState } from './use-dataset-download';

function ConfirmDownload({
  state,
  onConfirm,
  onCancel,
}: {
  state: Extract<DatasetDownloadState, { kind: 'confirming' }>;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { source } = state;
  const size = formatBytes(sourceBytes(source));
  return (
    <div role="group" aria-label="Confirm the download" className="download-confirm">
      <p>
        This downloads {source.title}, {size} in all, from {source.from}:
      </p>
      <ul className="small">
        {source.files.map((file) => (
          <li key={file.name}>
            <code>{file.url}</code> ({formatBytes(file.bytes)})
          </li>
        ))}
      </ul>
      <p className="muted small">
        The files are checked like dropped files and kept in this browser like them.
      </p>
      <button type="button" onClick={onConfirm}>
        Download {size}
      </button>{' '}
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

function DownloadProgressBar({
  state,
  onCancel,
}: {
  state: Extract<DatasetDownloadState, { kind: 'downloading' }>;
  onCancel: () => void;
}) {
  const { progress, source } = state;
  const total = progress.totalBytes || sourceBytes(source);
  return (
    <div className="load-progress">
      <label>
        Downloading {source.title} from {source.from}: {formatBytes(progress.receivedBytes)} of{' '}
        {formatBytes(total)}
        <progress max={total || 1} value={progress.receivedBytes} />
      </label>
      <button type="button" onClick={onCancel}>
        Cancel download
      </button>
    </div>
  );
}

/** The sample and download buttons, their question, progress and failure. */
export function DatasetDownloads({ onFiles }: { onFiles: (files: File[]) => void }) {
  const download = useDatasetDownload(onFiles);
  const { state } = download;
  const isBusy = state.kind === 'downloading';
  return (
    <div className="dataset-downloads">
      <p>
        No files at hand?{' '}
        <button type="button" disabled={isBusy} onClick={() => download.start(SAMPLE_DATASET)}>
          Try it with a sample
        </button>{' '}
        <span className="muted small">
          ({formatCount(SAMPLE_TRAIN_COUNT)} training and {formatCount(SAMPLE_TEST_COUNT)} test
          images, {formatBytes(sourceBytes(SAMPLE_DATASET))}, from this app)
        </span>
      </p>
      <p>
        <button type="button" disabled={isBusy} onClick={() => download.ask(OFFICIAL_DATASET)}>
          Get the full dataset
        </button>{' '}
        <span className="muted small">
          ({formatCount(OFFICIAL_TRAIN_COUNT)} + {formatCount(OFFICIAL_TEST_COUNT)} images,{' '}
          {formatBytes(sourceBytes(OFFICIAL_DATASET))}, from{' '}
          <a href={OFFICIAL_DATASET_PAGE_URL} target="_blank" rel="noopener noreferrer">
            Zalando&apos;s repository
          </a>
          ), or the two CSVs from{' '}
          <a href={KAGGLE_DATASET_PAGE_URL} target="_blank" rel="noopener noreferrer">
            Kaggle
          </a>
          .
        </span>
      </p>
      {state.kind === 'confirming' && (
        <ConfirmDownload
          state={state}
          onConfirm={() => download.start(state.source)}
          onCancel={download.cancel}
        />
      )}
      {state.kind === 'downloading' && (
        <DownloadProgressBar state={state} onCancel={download.cancel} />
      )}
      {state.kind === 'failed' && <Alert>{state.message}</Alert>}
    </div>
  );
}
