/**
 * Training state for the UI. Per-batch metrics do not live here (they go to a buffer and are
 * charted on a throttle); this holds what changes a few times per second at most.
 */
import type {
  BackendInfo,
  BatchMetrics,
  EpochMetrics,
  EvaluationResult,
  RunEnd,
} from '../../training/run-types';
import type { TrainingParams } from '../../training/training-params';

export type TrainingStatus =
  'idle' | 'starting' | 'running' | 'paused' | 'stopping' | 'evaluating' | 'finished' | 'failed';

/** Whether a run is under way (from Train until its results are in), so no other may start. */
export function isRunActive(status: TrainingStatus): boolean {
  return (
    status === 'starting' ||
    status === 'running' ||
    status === 'paused' ||
    status === 'stopping' ||
    status === 'evaluating'
  );
}

export interface TrainingState {
  status: TrainingStatus;
  runId: number;
  params?: TrainingParams;
  backend?: BackendInfo;
  /** Latest batch, for the progress bar (updated on the chart throttle). */
  lastBatch?: BatchMetrics;
  epochs: EpochMetrics[];
  evaluation?: EvaluationResult;
  end?: RunEnd;
  error?: string;
  /** Set when the run continues a checkpoint: the epochs it had finished before. */
  resumedAtEpoch?: number;
  /** Epochs covered by the newest checkpoint this run wrote. */
  checkpointEpochs?: number;
  /** Why the latest checkpoint could not be written (cleared by the next success). */
  checkpointError?: string;
  /** The 0-based epoch whose weights the run's model holds, when it kept the best ones. */
  keptEpoch?: number;
  /** Whether early stopping ended the run before its last epoch. */
  stoppedEarly?: boolean;
}

export type TrainingAction =
  | { type: 'started'; params: TrainingParams }
  /** A resumed run: its history up to the checkpoint, drawn before new epochs arrive. */
  | { type: 'resumed-from-checkpoint'; history: EpochMetrics[] }
  | { type: 'checkpoint-saved'; epochsCompleted: number }
  | { type: 'checkpoint-failed'; epochsCompleted: number; message: string }
  | { type: 'backend'; backend: BackendInfo }
  | { type: 'batch'; batch: BatchMetrics }
  | { type: 'epoch'; epoch: EpochMetrics }
  | { type: 'paused' }
  | { type: 'unpaused' }
  | { type: 'stopping' }
  | { type: 'evaluating' }
  | { type: 'evaluated'; evaluation: EvaluationResult }
  | {
      type: 'finished';
      end: RunEnd;
      /** The 0-based epoch whose weights the model kept (best validation accuracy). */
      keptEpoch?: number;
      stoppedEarly?: boolean;
    }
  /** A model the engine did not train in this run (loaded) was evaluated. */
  | { type: 'loaded-model-evaluating' }
  | { type: 'failed'; message: string };

export const INITIAL_TRAINING_STATE: TrainingState = {
  status: 'idle',
  runId: 0,
  epochs: [],
};

/** What a failed checkpoint write means for this run, in the words the page shows. */
function describeCheckpointFailure(
  state: TrainingState,
  failure: { epochsCompleted: number; message: string },
): string {
  const what = `The checkpoint after epoch ${failure.epochsCompleted} could not be saved: ${failure.message}`;
  if (state.params && failure.epochsCompleted >= state.params.epochs) {
    return `${what} The run itself is not affected.`;
  }
  const fallback =
    state.checkpointEpochs === undefined
      ? 'until a checkpoint is saved, a reload cannot resume this run'
      : `a reload can still resume from the checkpoint after epoch ${state.checkpointEpochs}`;
  return `${what} Training goes on; ${fallback}.`;
}

export function trainingReducer(state: TrainingState, action: TrainingAction): TrainingState {
  switch (action.type) {
    case 'started':
      return {
        ...state,
        status: 'starting',
        runId: state.runId + 1,
        params: action.params,
        backend: undefined,
        lastBatch: undefined,
        epochs: [],
        evaluation: undefined,
        end: undefined,
        error: undefined,
        resumedAtEpoch: undefined,
        checkpointEpochs: undefined,
        checkpointError: undefined,
        keptEpoch: undefined,
        stoppedEarly: undefined,
      };
    case 'resumed-from-checkpoint':
      return {
        ...state,
        epochs: action.history,
        resumedAtEpoch: action.history.length,
        checkpointEpochs: action.history.length,
      };
    case 'checkpoint-saved':
      return { ...state, checkpointEpochs: action.epochsCompleted, checkpointError: undefined };
    case 'checkpoint-failed':
      return { ...state, checkpointError: describeCheckpointFailure(state, action) };
    case 'backend':
      return {
        ...state,
        backend: action.backend,
        status: state.status === 'starting' ? 'running' : state.status,
      };
    case 'batch':
      return {
        ...state,
        lastBatch: action.batch,
        status: state.status === 'starting' ? 'running' : state.status,
      };
    case 'epoch':
      return { ...state, epochs: [...state.epochs, action.epoch] };
    // A pause or unpause that the engine confirms after Stop was pressed must not undo it.
    case 'paused':
      return state.status === 'running' ? { ...state, status: 'paused' } : state;
    case 'unpaused':
      return state.status === 'paused' ? { ...state, status: 'running' } : state;
    case 'stopping':
      return { ...state, status: 'stopping' };
    case 'evaluating':
      return { ...state, status: 'evaluating' };
    case 'evaluated':
      return { ...state, evaluation: action.evaluation };
    case 'finished':
      return {
        ...state,
        status: 'finished',
        end: action.end,
        keptEpoch: action.keptEpoch,
        stoppedEarly: action.stoppedEarly,
      };
    case 'failed':
      return { ...state, status: 'failed', error: action.message };
    case 'loaded-model-evaluating':
      return {
        ...state,
        status: 'evaluating',
        evaluation: undefined,
        end: undefined,
        error: undefined,
      };
  }
}
