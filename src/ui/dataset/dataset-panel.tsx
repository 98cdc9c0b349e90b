import { useId } from 'react';
import type { LoadedSplit } from '../../data/ingest-types';
import { AlertList } from '../feedback/messages';
import { DatasetDownloads } from './dataset-downloads';
import { FileDropZone } from './file-drop-zone';
import { KeepDataSetting } from './keep-data-setting';
import {
  LoadNotes,
  LoadProgressList,
  SourceChoices,
  SplitChoices,
  WaitingIdxNotes,
} from './load-notes';
import { SplitSummary } from './split-summary';
import type { DatasetController } from './use-dataset';
import type { KeptDataset } from './use-kept-dataset';

/** Section 1: files in, their progress and problems, and what each split holds. */
export function DatasetPanel({
  controller,
  kept,
}: {
  controller: DatasetController;
  /** The keep-in-browser setting; absent when browser storage is not used. */
  kept?: KeptDataset;
}) {
  const { state, addFiles, chooseSplit, chooseSource } = controller;
  const titleId = useId();
  const { train, test } = state.splits;

  return (
    <section className="panel" aria-labelledby={titleId}>
      <h2 id={titleId}>1 · Data</h2>
      <FileDropZone onFiles={addFiles} />
      <DatasetDownloads onFiles={addFiles} />
      <LoadProgressList loading={state.loading} />
      <SplitChoices unassigned={state.unassigned} chooseSplit={chooseSplit} />
      <SourceChoices conflicts={state.conflicts} chooseSource={chooseSource} />
      <WaitingIdxNotes waiting={state.waitingIdx} />
      <AlertList messages={state.errors.map((e) => e.message)} />
      <LoadNotes notes={state.notes} />
      <SplitSummary split="train" loaded={train} isRestored={state.restored.includes('train')} />
      <SplitSummary split="test" loaded={test} isRestored={state.restored.includes('test')} />
      {kept && (
        <KeepDataSetting
          kept={kept}
          loaded={[train, test].filter((split): split is LoadedSplit => split !== undefined)}
        />
      )}
    </section>
  );
}
