/**
 * "Run the six architectures": the seed project's experiment in one click. Each architecture
 * trains in turn with the same settings, through the launcher like any run (checkpoints, the
 * training lock, a row in the runs table); the experiment's own state (settings, order, which
 * one is next, its checkpoint run id) is kept in IndexedDB, so after a reload the page offers
 * to continue: the interrupted run resumes from its checkpoint and the rest follow.
 *
 * Plain TypeScript with its services handed in, so the whole sequence can be tested without
 * React or a browser; use-experiment.ts connects it to the page.
 */
import { ARCHITECTURES } from '../../model/architecture-catalog';
import type { ExperimentState, ExperimentStore } from '../../storage/experiment-store';
import type { RunRecord } from '../../storage/run-store';
import { errorMessage } from '../../shared/errors';
import type { RunEnd } from '../../training/run-types';
import type { TrainingParams } from '../../training/training-params';
import type { RunObserver } from '../training/training-run-options';
import type { RunLauncher } from '../training/use-run-launcher';

/** What the page shows of the experiment. */
export interface ExperimentView {
  /** The experiment under way or interrupted; null when there is none. */
  experiment: ExperimentState | null;
  /** One of its runs is training in this tab now. */
  isRunning: boolean;
  /** Settings waiting for "Start the six runs" (the page shows the estimate meanwhile). */
  pending: TrainingParams | null;
  /** Why the experiment stopped or could not go on, in the page's words. */
  problem: string | null;
  /** The id of the experiment that finished last in this tab (its runs are in the table). */
  finishedId: string | null;
}

export const INITIAL_EXPERIMENT_VIEW: ExperimentView = {
  experiment: null,
  isRunning: false,
  pending: null,
  problem: null,
  finishedId: null,
};

export interface ExperimentActions {
  /** Reads the experiment a previous visit left, if any. */
  load: () => Promise<void>;
  prepare: (params: TrainingParams) => void;
  cancelPrepare: () => void;
  /** Starts the prepared experiment on the loaded data. */
  start: () => Promise<void>;
  /** Goes on after a reload, a Stop or a failure: resumes the checkpoint, else restarts that run. */
  continueExperiment: () => Promise<void>;
  /** Gives the experiment up; its finished runs stay in the table. */
  end: () => Promise<void>;
}

/** What the runner needs of the launcher. */
export type ExperimentLauncher = Pick<
  RunLauncher,
  'startRun' | 'resumeRun' | 'resumable' | 'hasResumableData' | 'loadedDatasetKey'
>;

export interface ExperimentServices {
  loadStore: () => Promise<ExperimentStore>;
  /** The launcher as it is now (its data and resumable run change): read `current` when needed. */
  launcher: { readonly current: ExperimentLauncher };
  /** The runs table as it is now. */
  runs: { readonly current: readonly RunRecord[] };
  newId: () => string;
  now: () => Date;
  /** Waits `ms` (a run that found the training lock still held tries again after it). */
  wait: (ms: number) => Promise<void>;
}

/** How often, and how far apart, a run that found the training lock busy is tried again. */
const START_ATTEMPTS = 5;
const START_RETRY_DELAY_MS = 400;

/**
 * `experiment` moved past the runs it already completed (the table has their records): a
 * reload between a run's end and the next run's start must not train that architecture again.
 */
export function skipRecordedRuns(
  experiment: ExperimentState,
  runs: readonly RunRecord[],
): ExperimentState {
  let next = experiment;
  const isDone = (index: number) =>
    runs.some(
      (run) =>
        run.experimentId === experiment.id &&
        run.end === 'completed' &&
        run.trainingParams.architectureId === experiment.architectureIds[index],
    );
  while (next.nextIndex < next.architectureIds.length && isDone(next.nextIndex)) {
    next = { ...next, nextIndex: next.nextIndex + 1, currentRunId: undefined };
  }
  return next;
}

const STOPPED_TEXT =
  'The experiment is paused: its run was stopped. Continue the experiment to finish it.';
const FAILED_TEXT =
  'A run of the experiment failed (see above). Continue the experiment to try it again.';
const BUSY_TEXT = 'The next run could not start: another tab of the app is training.';

/** The runner's state and the steps its actions share. */
interface RunnerCore {
  view: () => ExperimentView;
  set: (patch: Partial<ExperimentView>) => void;
  save: (state: ExperimentState | null) => Promise<void>;
  runNext: (state: ExperimentState) => Promise<void>;
  observe: (state: ExperimentState) => RunObserver;
  /** Runs `step` unless another is on its way (a double click starts nothing twice). */
  guarded: (step: () => Promise<void>) => Promise<void>;
}

function createRunnerCore(
  services: ExperimentServices,
  onChange: (view: ExperimentView) => void,
): RunnerCore {
  let view = INITIAL_EXPERIMENT_VIEW;
  /** Set while a step (save, start) is on its way, so a double click starts nothing twice. */
  let isBusy = false;
  const set = (patch: Partial<ExperimentView>) => {
    view = { ...view, ...patch };
    onChange(view);
  };

  /** Keeps `state` (a failed write is said; the experiment goes on in this tab). */
  async function save(state: ExperimentState | null): Promise<void> {
    set({ experiment: state });
    try {
      const store = await services.loadStore();
      await (state ? store.save(state) : store.clear());
    } catch (error) {
      set({ problem: `The experiment cannot be continued after a reload: ${errorMessage(error)}` });
    }
  }

  function observe(state: ExperimentState): RunObserver {
    return {
      runId: state.currentRunId,
      experimentId: state.id,
      onFinished: (end: RunEnd) => {
        if (end === 'completed') {
          void runNext({ ...state, nextIndex: state.nextIndex + 1, currentRunId: undefined });
          return;
        }
        set({ isRunning: false, problem: end === 'stopped' ? STOPPED_TEXT : FAILED_TEXT });
      },
    };
  }

  async function startWithRetry(start: () => Promise<boolean>): Promise<boolean> {
    for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      if (await start()) return true;
      await services.wait(START_RETRY_DELAY_MS);
    }
    return false;
  }

  async function runNext(state: ExperimentState): Promise<void> {
    const current = skipRecordedRuns(state, services.runs.current);
    if (current.nextIndex >= current.architectureIds.length) {
      set({ isRunning: false, finishedId: current.id });
      await save(null);
      return;
    }
    const next = { ...current, currentRunId: services.newId() };
    await save(next);
    const params = { ...next.params, architectureId: next.architectureIds[next.nextIndex] };
    set({ isRunning: true });
    const observer = observe(next);
    if (
      !(await startWithRetry(() => services.launcher.current.startRun(params, undefined, observer)))
    ) {
      set({ isRunning: false, problem: BUSY_TEXT });
    }
  }

  async function guarded(step: () => Promise<void>): Promise<void> {
    if (isBusy) return;
    isBusy = true;
    set({ problem: null });
    try {
      await step();
    } finally {
      isBusy = false;
    }
  }

  return { view: () => view, set, save, runNext, observe, guarded };
}

/** A new experiment with the prepared settings, from its first architecture. */
async function startExperiment(core: RunnerCore, services: ExperimentServices): Promise<void> {
  const params = core.view().pending;
  const datasetKey = services.launcher.current.loadedDatasetKey;
  if (!params || !datasetKey) return;
  core.set({ pending: null, finishedId: null });
  await core.runNext({
    id: services.newId(),
    params,
    architectureIds: ARCHITECTURES.map((a) => a.id),
    nextIndex: 0,
    datasetKey,
    startedAt: services.now().toISOString(),
  });
}

/** The interrupted run resumed from its checkpoint when it has one, else started again. */
async function continueExperiment(core: RunnerCore, services: ExperimentServices): Promise<void> {
  const kept = core.view().experiment;
  if (!kept) return;
  const current = skipRecordedRuns(kept, services.runs.current);
  const launcher = services.launcher.current;
  const canResume =
    current.currentRunId !== undefined &&
    launcher.resumable.resumable?.runId === current.currentRunId &&
    launcher.hasResumableData;
  if (!canResume) {
    await core.runNext(current);
    return;
  }
  core.set({ isRunning: true });
  if (!(await launcher.resumeRun(core.observe(current)))) core.set({ isRunning: false });
}

export function createExperimentRunner(
  services: ExperimentServices,
  onChange: (view: ExperimentView) => void,
): ExperimentActions {
  const core = createRunnerCore(services, onChange);
  const { set, save, guarded } = core;
  return {
    async load() {
      try {
        const kept = await (await services.loadStore()).load();
        if (kept && !core.view().experiment) set({ experiment: kept });
      } catch {
        // No storage: there is nothing to continue, and starting one will say why it is not kept.
      }
    },
    prepare: (params) => set({ pending: params }),
    cancelPrepare: () => set({ pending: null }),
    start: () => guarded(() => startExperiment(core, services)),
    continueExperiment: () => guarded(() => continueExperiment(core, services)),
    end: async () => {
      set({ problem: null, pending: null });
      await save(null);
    },
  };
}
