/**
 * One training run on the session, from its start to the runs-table row: batches go to the
 * buffer and the throttle, everything else to state. Plain TypeScript; use-training.ts calls it.
 */
import type { Dispatch } from 'react';
import type { LoadedSplit } from '../../data/ingest-types';
import { getArchitectureInfo } from '../../model/architecture-catalog';
import { errorMessage } from '../../shared/errors';
import type { StoredCheckpoint } from '../../storage/checkpoint-store';
import type { RunRecord } from '../../storage/run-store';
import type { TrainingRunResult, TrainingSessionHooks } from '../../training/run-messages';
import type { TrainingSession } from '../../training/training-session-types';
import type { BackendRequest } from '../../training/run-types';
import type { TrainingParams } from '../../training/training-params';
import type { BatchThrottle } from './batch-throttle';
import type { BatchLog, TrainingRunOptions } from './training-run-options';
import type { TrainingAction } from './training-state';

/** Where a run reports: the per-batch buffer, the redraw throttle and the state reducer. */
export interface RunReporting {
  batchLog: BatchLog;
  throttle: BatchThrottle;
  dispatch: Dispatch<TrainingAction>;
}

/** What a run remembers between its messages, to describe its end. */
interface RunProgress {
  epochsDone: number;
  lastTrainAccuracy: number;
  lastValAccuracy: number;
  backendLabel: string;
  tfjsVersion?: string;
  /** The latest batch's throughput since the run (or resume) started, samples/s. */
  samplesPerSec?: number;
}

/** A fresh run knows nothing yet; a resumed one starts from its checkpoint's last epoch. */
function initialProgress(resume: StoredCheckpoint | undefined): RunProgress {
  const lastResumed = resume?.history.at(-1);
  return {
    epochsDone: resume?.epoch ?? 0,
    lastTrainAccuracy: lastResumed?.accuracy ?? NaN,
    lastValAccuracy: lastResumed?.valAccuracy ?? NaN,
    backendLabel: '',
  };
}

/** The session hooks of one run: batches to the buffer and throttle, the rest to state. */
function runHooks(
  { params, options }: { params: TrainingParams; options: TrainingRunOptions },
  progress: RunProgress,
  { batchLog, throttle, dispatch }: RunReporting,
): TrainingSessionHooks {
  return {
    onBackend: (backend) => {
      progress.backendLabel =
        backend.name + (backend.path === 'main-thread' ? ' (main thread)' : '');
      progress.tfjsVersion = backend.tfjsVersion;
      dispatch({ type: 'backend', backend });
    },
    onBatch: (batch) => {
      batchLog.loss.push(batch.loss);
      batchLog.accuracy.push(batch.accuracy);
      progress.samplesPerSec = batch.samplesPerSec;
      throttle.push(batch);
    },
    onEpoch: (epoch) => {
      progress.epochsDone = epoch.epoch + 1;
      // After the last epoch the engine evaluates the test set before it reports done.
      if (progress.epochsDone === params.epochs) dispatch({ type: 'evaluating' });
      progress.lastTrainAccuracy = epoch.accuracy;
      progress.lastValAccuracy = epoch.valAccuracy;
      throttle.flush();
      dispatch({ type: 'epoch', epoch });
    },
    onPauseStateChange: (pauseState) => {
      // The batch the pause came after must be on screen when "Paused" is: the engine sends
      // it first, but the throttle may still hold it back.
      throttle.flush();
      dispatch({ type: pauseState === 'paused' ? 'paused' : 'unpaused' });
    },
    onEvaluation: (evaluation) => dispatch({ type: 'evaluated', evaluation }),
    onCheckpoint: (epochsCompleted) => {
      options.onCheckpoint?.(epochsCompleted);
      dispatch({ type: 'checkpoint-saved', epochsCompleted });
    },
    onCheckpointError: (epochsCompleted, message) =>
      dispatch({ type: 'checkpoint-failed', epochsCompleted, message }),
  };
}

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

/** The runs-table row and the trained model's summary, once a run has ended. */
function finishRun(
  result: TrainingRunResult,
  params: TrainingParams,
  progress: RunProgress,
  startedAtMs: number,
  runOptions: TrainingRunOptions,
  dispatch: Dispatch<TrainingAction>,
): void {
  runOptions.onEnded?.(result.end);
  if (result.end === 'failed') {
    dispatch({ type: 'failed', message: result.errorMessage ?? 'unknown error' });
    return;
  }
  // The model's accuracies are those of the epoch whose weights it holds.
  const kept = result.keptEpoch === undefined ? undefined : result.history[result.keptEpoch];
  const trainAccuracy = kept?.accuracy ?? progress.lastTrainAccuracy;
  const valAccuracy = kept?.valAccuracy ?? progress.lastValAccuracy;
  if (result.model) {
    runOptions.onTrained?.(result.model, {
      params,
      epochsCompleted: progress.epochsDone,
      trainingAccuracy: finiteOrNull(trainAccuracy),
      validationAccuracy: finiteOrNull(valAccuracy),
      testAccuracy: result.evaluation ? result.evaluation.accuracy : null,
      tfjsVersion: progress.tfjsVersion,
    });
  }
  const info = getArchitectureInfo(params.architectureId);
  const run: RunRecord = {
    id: Date.now(),
    finishedAt: new Date().toISOString(),
    history: result.history,
    ...(progress.samplesPerSec !== undefined ? { samplesPerSec: progress.samplesPerSec } : {}),
    architectureLabel: info.label,
    parameterCount: info.totalParams,
    trainingParams: params,
    epochsDone: progress.epochsDone,
    trainAccuracy,
    valAccuracy,
    testAccuracy: result.evaluation?.accuracy ?? NaN,
    ...(result.evaluation?.flipAveraged
      ? { testAccuracyFlipAveraged: result.evaluation.flipAveraged.accuracy }
      : {}),
    wallTimeMs: performance.now() - startedAtMs,
    backend: progress.backendLabel,
    end: result.end,
  };
  runOptions.onRunRecord?.(run);
  const { keptEpoch, stoppedEarly } = result;
  dispatch({ type: 'finished', end: result.end, keptEpoch, stoppedEarly });
}

/** Starts one run on `session`; it reports through `reporting` until it ends. */
export function launchRun(
  session: TrainingSession,
  backendRequest: BackendRequest,
  run: {
    params: TrainingParams;
    data: { train: LoadedSplit; test: LoadedSplit };
    options: TrainingRunOptions;
  },
  reporting: RunReporting,
): void {
  const { params, data, options } = run;
  const { resume } = options;
  const startedAtMs = performance.now();
  const progress = initialProgress(resume);
  session
    .start(
      {
        train: { images: data.train.images, labels: data.train.labels },
        test: { images: data.test.images, labels: data.test.labels },
      },
      params,
      backendRequest,
      runHooks(run, progress, reporting),
      {
        initialModel: resume ? resume.model : options.initialModel,
        checkpoint: options.checkpoint,
        resumeFrom: resume && {
          epochsCompleted: resume.epoch,
          history: resume.history,
          elapsedMs: resume.elapsedMs,
          shuffleSeed: resume.shuffleSeed,
          optimizerState: resume.optimizerState,
          best: resume.best,
        },
      },
    )
    .then(
      (result) => {
        reporting.throttle.flush();
        finishRun(result, params, progress, startedAtMs, options, reporting.dispatch);
      },
      (error: unknown) => {
        reporting.throttle.flush();
        options.onEnded?.('failed');
        reporting.dispatch({ type: 'failed', message: errorMessage(error) });
      },
    );
}
