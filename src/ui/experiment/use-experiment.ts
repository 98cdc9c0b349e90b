/** The six-architecture experiment (experiment-runner.ts) connected to the page. */
import { useEffect, useState } from 'react';
import type { ExperimentStore } from '../../storage/experiment-store';
import type { RunRecord } from '../../storage/run-store';
import { useLatestRef } from '../hooks/use-latest-ref';
import type { RunLauncher } from '../training/use-run-launcher';
import {
  createExperimentRunner,
  INITIAL_EXPERIMENT_VIEW,
  type ExperimentActions,
  type ExperimentView,
} from './experiment-runner';

export type ExperimentController = ExperimentView & ExperimentActions;

const loadStore = (): Promise<ExperimentStore> =>
  import('../../storage/experiment-store').then((m) => m.createExperimentStore());

export function useExperiment(
  launcher: RunLauncher,
  runs: readonly RunRecord[],
): ExperimentController {
  const [view, setView] = useState<ExperimentView>(INITIAL_EXPERIMENT_VIEW);
  const launcherRef = useLatestRef(launcher);
  const runsRef = useLatestRef(runs);
  const [actions] = useState(() =>
    createExperimentRunner(
      {
        loadStore,
        launcher: launcherRef,
        runs: runsRef,
        newId: () => crypto.randomUUID(),
        now: () => new Date(),
        wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      },
      setView,
    ),
  );
  useEffect(() => {
    void actions.load();
  }, [actions]);
  return { ...view, ...actions };
}
