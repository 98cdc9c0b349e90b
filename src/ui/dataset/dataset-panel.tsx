import { useId, useState, type DragEvent } from 'react';
import type { SplitName } from '../../config/dataset';
import type { LoadedSplit, ParserPath } from '../../data/ingest-types';
import { formatBytes, formatCount, formatDuration } from '../format';
import type { DatasetController } from './use-dataset';
import type { KeptDataset } from './use-kept-dataset';

const SPLIT_TITLES: Record<SplitName, string> = { train: 'Training set', test: 'Test set' };
const PARSER_NAMES: Record<ParserPath, string> = {
  'fast-csv': 'fast CSV parser',
  papaparse: 'papaparse',
  idx: 'IDX reader',
};

function SplitSummary({
  split,
  loaded,
  isRestored,
}: {
  split: SplitName;
  loaded?: LoadedSplit;
  isRestored: boolean;
}) {
  if (!loaded) {
    return <p className="split-summary split-summary--empty">{SPLIT_TITLES[split]}: not loaded</p>;
  }
  return (
    <p className="split-summary" data-testid={`${split}-summary`}>
      <strong>
        {SPLIT_TITLES[split]}: {formatCount(loaded.count)} images
      </strong>{' '}
      <span className="muted">
        from {loaded.sourceFiles.join(' + ')} ·{' '}
        {isRestored
          ? `restored from this browser in ${formatDuration(loaded.elapsedMs)}`
          : `${PARSER_NAMES[loaded.parser]} · ${formatDuration(loaded.elapsedMs)}`}
      </span>
    </p>
  );
}

/** The opt-out of keeping the data in browser storage, and what that storage holds. */
function KeepDataSetting({ kept, loaded }: { kept: KeptDataset; loaded: LoadedSplit[] }) {
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
      {status.kind === 'error' ? (
        <p role="alert" className="alert">
          {status.message}
        </p>
      ) : (
        <p className="muted small" role="status">
          {status.kind === 'restoring' && 'Looking for data kept in this browser…'}
          {status.kind === 'saving' && 'Keeping the data in this browser…'}
          {status.kind === 'kept' && `Kept in this browser: ${status.splits}.`}
          {status.kind === 'off' && 'The data is not kept: a reload needs the files again.'}
          {status.kind === 'unavailable' &&
            `The data cannot be kept: browser storage is not available here (${status.message})`}
        </p>
      )}
    </div>
  );
}

export function DatasetPanel({
  controller,
  kept,
}: {
  controller: DatasetController;
  /** The keep-in-browser setting; absent when browser storage is not used. */
  kept?: KeptDataset;
}) {
  const { state, addFiles, chooseSplit } = controller;
  const inputId = useId();
  const [isDragOver, setIsDragOver] = useState(false);

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setIsDragOver(false);
    addFiles(Array.from(event.dataTransfer.files));
  };

  return (
    <section className="panel" aria-labelledby={`${inputId}-title`}>
      <h2 id={`${inputId}-title`}>1 · Data</h2>
      <div
        className={`drop-zone${isDragOver ? ' drop-zone--active' : ''}`}
        onDragOver={(event) => {
          event.preventDefault();
          setIsDragOver(true);
        }}
        onDragLeave={() => setIsDragOver(false)}
        onDrop={onDrop}
        data-testid="drop-zone"
      >
        <p>
          Drop <code>fashion-mnist_train.csv</code> and <code>fashion-mnist_test.csv</code> here (or
          the four IDX files, <code>.gz</code> or not), or choose them:
        </p>
        <label htmlFor={inputId} className="file-label">
          Dataset files
        </label>
        <input
          id={inputId}
          type="file"
          multiple
          accept=".csv,.gz,.ubyte,text/csv,application/gzip"
          onChange={(event) => {
            const files = Array.from(event.currentTarget.files ?? []);
            // Reset so choosing the same file again fires a change.
            event.currentTarget.value = '';
            addFiles(files);
          }}
        />
        <p className="muted small">Files are read inside this tab; nothing is uploaded.</p>
      </div>

      {state.loading.map((l) => (
        <div key={l.id} className="load-progress">
          <label>
            Reading {l.fileName}: {formatBytes(l.bytesRead)} of {formatBytes(l.totalBytes)},{' '}
            {formatCount(l.rows)} rows
            <progress max={l.totalBytes || 1} value={l.bytesRead} />
          </label>
        </div>
      ))}

      {state.unassigned.map((u) => (
        <fieldset key={u.id} className="split-choice">
          <legend>Which split is {u.file.name}?</legend>
          <button type="button" onClick={() => chooseSplit(u.id, 'train')}>
            Use {u.file.name} as training set
          </button>{' '}
          <button type="button" onClick={() => chooseSplit(u.id, 'test')}>
            Use {u.file.name} as test set
          </button>
        </fieldset>
      ))}

      {state.waitingIdx.map((w) => (
        <p key={`${w.split}-${w.kind}`} className="muted" role="status">
          {w.fileName} is waiting for its {w.kind === 'images' ? 'labels' : 'images'} file (
          {w.split === 'train' ? 'train' : 't10k'}-
          {w.kind === 'images' ? 'labels-idx1' : 'images-idx3'}
          -ubyte).
        </p>
      ))}

      {state.errors.length > 0 && (
        <div role="alert" className="alert">
          {state.errors.map((e, i) => (
            <p key={i}>{e.message}</p>
          ))}
        </div>
      )}

      <SplitSummary
        split="train"
        loaded={state.splits.train}
        isRestored={state.restored.includes('train')}
      />
      <SplitSummary
        split="test"
        loaded={state.splits.test}
        isRestored={state.restored.includes('test')}
      />
      {kept && (
        <KeepDataSetting
          kept={kept}
          loaded={[state.splits.train, state.splits.test].filter(
            (split): split is LoadedSplit => split !== undefined,
          )}
        />
      )}
    </section>
  );
}
