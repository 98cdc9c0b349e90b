/**
 * What happens to files between their arrival and their split's summary: read with progress,
 * waiting for the person to name their split, or (IDX) waiting for their other half.
 */
import type { SplitName } from '../../config/dataset';
import { describeSource } from '../../data/dataset-sources';
import { formatBytes, formatCount } from '../format';
import { StatusLine } from '../feedback/messages';
import type { DatasetState } from './dataset-state';

/** A progress bar per file being read. */
export function LoadProgressList({ loading }: { loading: DatasetState['loading'] }) {
  return loading.map((l) => (
    <div key={l.id} className="load-progress">
      <label>
        Reading {l.fileName}: {formatBytes(l.bytesRead)} of {formatBytes(l.totalBytes)},{' '}
        {formatCount(l.rows)} rows
        <progress max={l.totalBytes || 1} value={l.bytesRead} />
      </label>
    </div>
  ));
}

/** "Which split is X?" for each file whose name does not say. */
export function SplitChoices({
  unassigned,
  chooseSplit,
}: {
  unassigned: DatasetState['unassigned'];
  chooseSplit: (unassignedId: string, split: SplitName) => void;
}) {
  return unassigned.map((u) => (
    <fieldset key={u.id} className="split-choice">
      <legend>Which split is {u.file.name}?</legend>
      <button type="button" onClick={() => chooseSplit(u.id, 'train')}>
        Use {u.file.name} as training set
      </button>{' '}
      <button type="button" onClick={() => chooseSplit(u.id, 'test')}>
        Use {u.file.name} as test set
      </button>
    </fieldset>
  ));
}

/** One line per IDX file whose partner (images or labels) has not come yet. */
export function WaitingIdxNotes({ waiting }: { waiting: DatasetState['waitingIdx'] }) {
  return waiting.map((w) => (
    <StatusLine key={`${w.split}-${w.kind}`}>
      {w.fileName} is waiting for its {w.kind === 'images' ? 'labels' : 'images'} file (
      {w.split === 'train' ? 'train' : 't10k'}-{w.kind === 'images' ? 'labels-idx1' : 'images-idx3'}
      -ubyte).
    </StatusLine>
  ));
}

const SPLIT_WORDS: Record<SplitName, string> = { train: 'training set', test: 'test set' };

/** "Which of these is the training set?" for each split given more than once in one drop. */
export function SourceChoices({
  conflicts,
  chooseSource,
}: {
  conflicts: DatasetState['conflicts'];
  chooseSource: (conflictId: string, optionIndex: number) => void;
}) {
  return conflicts.map((c) => (
    <fieldset key={c.id} className="split-choice">
      <legend>
        {c.options.length} files were given for the {SPLIT_WORDS[c.split]}; which one should be
        used?
      </legend>
      {c.options.map((option, index) => (
        <button key={index} type="button" onClick={() => chooseSource(c.id, index)}>
          Use {describeSource(option)} for the {SPLIT_WORDS[c.split]}
        </button>
      ))}
    </fieldset>
  ));
}

/** What was used when there was a choice, and what was ignored. */
export function LoadNotes({ notes }: { notes: string[] }) {
  return notes.map((note, index) => (
    <StatusLine key={index} className="muted small">
      {note}
    </StatusLine>
  ));
}
