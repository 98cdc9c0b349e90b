/**
 * Section 2 of the page: the unfinished run (if any), the training form and buttons, progress,
 * what went wrong, the live charts and the epoch table.
 */
import { lazy, Suspense, type ReactNode } from 'react';
import type { LoadedSplit } from '../../data/ingest-types';
import type { BackendPreference } from '../../training/run-types';
import type { TrainingParams } from '../../training/training-params';
import type { CurrentModel } from '../models/current-model';
import { EpochTable } from './epoch-table';
import { ResumePanel } from './resume-panel';
import { TrainingAnnouncer } from './training-announcer';
import { TrainingControls } from './training-controls';
import { TrainingProgress } from './training-progress';
import { isRunActive, type TrainingState } from './training-state';
import type { RunLauncher } from './use-run-launcher';
import type { TrainingController } from './use-training';

// tfjs-vis and vega are most of the bundle; the first screen needs none of them.
const BatchCharts = lazy(() =>
  import('../charts/training-charts').then((m) => ({ default: m.BatchCharts })),
);
const EpochCharts = lazy(() =>
  import('../charts/training-charts').then((m) => ({ default: m.EpochCharts })),
);

export interface BackendChoice {
  preference: BackendPreference;
  allowSoftwareWebgl: boolean;
}

export interface TrainingSectionProps {
  training: TrainingController;
  launcher: RunLauncher;
  splits: { train?: LoadedSplit; test?: LoadedSplit };
  current: CurrentModel | null;
  backend: BackendChoice;
  onBackendChange: (choice: BackendChoice) => void;
  showCharts: boolean;
  /** The six-architecture experiment: its button's handler and its panel. */
  experiment?: ExperimentSlot;
}

export interface ExperimentSlot {
  /** Prepares the experiment with the form's settings (the panel asks to confirm). */
  onRun: (params: TrainingParams) => void;
  /** An experiment is under way or interrupted: the button is off until it ends. */
  isUnderWay: boolean;
  /** The checkpoint run id of its current run: the panel offers that resume, not this section. */
  checkpointRunId?: string;
  panel: ReactNode;
}

export function TrainingSection(props: TrainingSectionProps) {
  const { training, launcher, splits, current } = props;
  const { state } = training;
  const run = launcher.resumable.resumable;
  const hasData = Boolean(splits.train && splits.test);
  return (
    <section className="panel" aria-label="Training">
      <h2>2 · Train</h2>
      {run && !isRunActive(state.status) && run.runId !== props.experiment?.checkpointRunId && (
        <ResumePanel
          run={run}
          hasMatchingData={launcher.hasResumableData}
          canStart={!isRunActive(state.status) && !launcher.isTrainingElsewhere}
          onResume={() => void launcher.resumeRun()}
          onDiscard={() => void launcher.resumable.discard(run.runId)}
          error={launcher.resumeError}
        />
      )}
      <TrainingControls
        status={state.status}
        canTrain={hasData && !launcher.isTrainingElsewhere}
        missingData={launcher.isTrainingElsewhere ? TRAINING_ELSEWHERE : missingDataText(splits)}
        backend={props.backend.preference}
        allowSoftwareWebgl={props.backend.allowSoftwareWebgl}
        onBackendChange={(preference, allowSoftwareWebgl) =>
          props.onBackendChange({ preference, allowSoftwareWebgl })
        }
        onTrain={(params, isTrainingFurther) =>
          isTrainingFurther && current?.architectureId
            ? void launcher.startRun(
                { ...params, architectureId: current.architectureId },
                current.model,
              )
            : void launcher.startRun(params)
        }
        trainableModelName={current?.architectureId ? current.name : undefined}
        onPause={training.pause}
        onUnpause={training.unpause}
        onStop={training.stop}
        onRunExperiment={props.experiment?.isUnderWay ? undefined : props.experiment?.onRun}
      />
      {props.experiment?.panel}
      <TrainingProgress
        status={state.status}
        params={state.params}
        backend={state.backend}
        lastBatch={state.lastBatch}
      />
      <TrainingAnnouncer state={state} />
      <RunNotices
        state={state}
        checkpointsOffReason={launcher.resumable.reason}
        lostRun={launcher.resumable.lostRun}
      />
      {/* Mounted (empty) as soon as the data is in: building the four vega views is several
          tasks of tens of ms, better spent before Train than beside a busy worker. */}
      {(state.status !== 'idle' || hasData) && props.showCharts && (
        <Suspense fallback={<p className="muted">Loading charts…</p>}>
          <BatchCharts getSeries={training.getBatchSeries} version={state.lastBatch} />
          <EpochCharts epochs={state.epochs} />
        </Suspense>
      )}
      <EpochTable
        epochs={state.epochs}
        resumedAtEpoch={state.resumedAtEpoch}
        keptEpoch={state.keptEpoch}
      />
      {state.stoppedEarly && (
        <p className="muted small" role="status">
          Stopped early: the validation accuracy had not improved for the recipe&apos;s patience.
        </p>
      )}
    </section>
  );
}

/** Why Train is off while another tab of the app trains. */
const TRAINING_ELSEWHERE =
  "Another tab of Fashion-MNIST Studio is training: one tab trains at a time, since they share this browser's storage. Train here once that run ends or that tab is closed.";

function missingDataText({ train, test }: TrainingSectionProps['splits']): string | undefined {
  if (!train) return 'Load the training set first.';
  if (!test) return 'Load the test set too: the model is evaluated on it.';
  return undefined;
}

/** A failed run, the checkpoint status of this run, and why checkpoints are off. */
function RunNotices({
  state,
  checkpointsOffReason,
  lostRun,
}: {
  state: TrainingState;
  checkpointsOffReason: string | null;
  /** The unfinished run whose checkpoint the browser no longer has, in the page's words. */
  lostRun: string | null;
}) {
  return (
    <>
      {lostRun && state.status === 'idle' && (
        <p role="alert" className="alert">
          {lostRun}
        </p>
      )}
      {state.error && (
        <p role="alert" className="alert">
          Training failed: {state.error}
        </p>
      )}
      {state.checkpointEpochs !== undefined && state.status !== 'idle' && (
        <p className="muted small" role="status" aria-label="Checkpoint">
          {state.resumedAtEpoch !== undefined &&
            `Resumed from the checkpoint after epoch ${state.resumedAtEpoch}. `}
          Checkpoint after epoch {state.checkpointEpochs} kept in this browser: a reload can resume
          from there.
        </p>
      )}
      {state.checkpointError && (
        <p role="alert" className="alert">
          {state.checkpointError}
        </p>
      )}
      {checkpointsOffReason !== null && (
        <p className="muted small">
          Checkpoints are off, so a reload cannot resume a run: {checkpointsOffReason}
        </p>
      )}
    </>
  );
}
