/**
 * The six-architecture experiment as the Train section takes it: the button's handler, whether
 * one is under way, the run whose resume it offers itself, and its panel, loaded lazily the
 * first time there is something to show.
 */
import { lazy, Suspense } from 'react';
import type { LoadedSplit } from '../../data/ingest-types';
import type { RunRecord } from '../../storage/run-store';
import { isRunActive, type TrainingState } from '../training/training-state';
import type { ExperimentSlot } from '../training/training-section';
import type { RunLauncher } from '../training/use-run-launcher';
import { useExperiment } from './use-experiment';
import type { ThroughputMeter } from './use-measured-throughput';

const ExperimentPanel = lazy(() =>
  import('./experiment-panel').then((m) => ({ default: m.ExperimentPanel })),
);

/** `meter`: how the page trains, to time a few steps when no run gives this machine's speed. */
export function useExperimentSlot(
  {
    launcher,
    runHistory: { runs },
    splits: { train, test },
    state,
  }: {
    launcher: RunLauncher;
    runHistory: { runs: readonly RunRecord[] };
    splits: { train?: LoadedSplit; test?: LoadedSplit };
    state: TrainingState;
  },
  meter?: ThroughputMeter,
): ExperimentSlot {
  const experiment = useExperiment(launcher, runs);
  const hasView = Boolean(
    experiment.pending || experiment.experiment || experiment.finishedId || experiment.problem,
  );
  return {
    onRun: experiment.prepare,
    isUnderWay: experiment.experiment !== null,
    checkpointRunId: experiment.experiment?.currentRunId,
    panel: hasView && (
      <Suspense fallback={null}>
        <ExperimentPanel
          controller={experiment}
          runs={runs}
          counts={train && test ? { train: train.count, test: test.count } : null}
          splits={{ train, test }}
          meter={meter}
          current={state}
          canStart={
            Boolean(train && test) && !isRunActive(state.status) && !launcher.isTrainingElsewhere
          }
          loadedDatasetKey={launcher.loadedDatasetKey}
        />
      </Suspense>
    ),
  };
}
