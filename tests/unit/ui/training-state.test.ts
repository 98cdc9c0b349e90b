import { describe, expect, test } from 'vitest';
import {
  type BackendInfo,
  type BatchMetrics,
  type EpochMetrics,
  type EvaluationResult,
} from '../../../src/training/run-types';
import { DEFAULT_TRAINING_PARAMS } from '../../../src/training/training-params';
import {
  INITIAL_TRAINING_STATE,
  trainingReducer,
  type TrainingAction,
  type TrainingState,
  type TrainingStatus,
} from '../../../src/ui/training/training-state';

const reduce = (state: TrainingState, ...actions: TrainingAction[]) =>
  actions.reduce(trainingReducer, state);

const BACKEND: BackendInfo = {
  name: 'cpu',
  path: 'worker',
  isSoftwareRenderer: false,
  convGradientRewrite: true,
  wasmGradientRewrites: true,
  reason: 'requested',
  tfjsVersion: '4.22.0',
};

const batch = (index: number): BatchMetrics => ({
  epoch: 0,
  batch: index,
  batchesPerEpoch: 750,
  loss: 2.3 - index * 0.01,
  accuracy: 0.1 + index * 0.001,
  samplesSeen: (index + 1) * 64,
  samplesPerSec: 900,
  elapsedMs: (index + 1) * 70,
});

const epoch = (index: number): EpochMetrics => ({
  epoch: index,
  loss: 0.5,
  accuracy: 0.82,
  valLoss: 0.45,
  valAccuracy: 0.84,
  elapsedMs: 50_000,
});

const EVALUATION: EvaluationResult = {
  loss: 0.4,
  accuracy: 0.85,
  count: 10_000,
  confusion: Array.from({ length: 10 }, (_, t) =>
    Array.from({ length: 10 }, (_, p) => (t === p ? 850 : t === (p + 1) % 10 ? 150 : 0)),
  ),
  perClassAccuracy: Array.from({ length: 10 }, () => 0.85),
  misclassified: [],
};

/** A whole run: started, backend chosen, batches, one epoch, evaluated, finished. */
function completedRun(state: TrainingState): TrainingState {
  return reduce(
    state,
    { type: 'started', params: DEFAULT_TRAINING_PARAMS },
    { type: 'backend', backend: BACKEND },
    { type: 'batch', batch: batch(0) },
    { type: 'batch', batch: batch(1) },
    { type: 'evaluating' },
    { type: 'epoch', epoch: epoch(0) },
    { type: 'evaluated', evaluation: EVALUATION },
    { type: 'finished', end: 'completed' },
  );
}

describe('trainingReducer', () => {
  test('a full run ends finished with its epochs and evaluation', () => {
    const state = completedRun(INITIAL_TRAINING_STATE);
    expect(state).toMatchObject({
      status: 'finished',
      runId: 1,
      backend: BACKEND,
      lastBatch: batch(1),
      epochs: [epoch(0)],
      evaluation: EVALUATION,
      end: 'completed',
    });
  });

  test("started resets the previous run's progress", () => {
    const finished = completedRun(INITIAL_TRAINING_STATE);
    const params = { ...DEFAULT_TRAINING_PARAMS, epochs: 3 };
    const state = trainingReducer(finished, { type: 'started', params });
    expect(state).toEqual({
      status: 'starting',
      runId: 2,
      params,
      backend: undefined,
      lastBatch: undefined,
      epochs: [],
      evaluation: undefined,
      end: undefined,
      error: undefined,
    });
  });

  test('started clears the error of a failed run', () => {
    const failed = reduce(
      INITIAL_TRAINING_STATE,
      { type: 'started', params: DEFAULT_TRAINING_PARAMS },
      { type: 'failed', message: 'WebGL context lost' },
    );
    expect(failed).toMatchObject({ status: 'failed', error: 'WebGL context lost' });
    const state = trainingReducer(failed, { type: 'started', params: DEFAULT_TRAINING_PARAMS });
    expect(state.status).toBe('starting');
    expect(state.error).toBeUndefined();
  });

  test('a second run counts on from the first', () => {
    const two = completedRun(completedRun(INITIAL_TRAINING_STATE));
    expect(two.runId).toBe(2);
  });

  test('a stopped run ends finished, stopped', () => {
    const state = reduce(
      completedRun(INITIAL_TRAINING_STATE),
      { type: 'started', params: DEFAULT_TRAINING_PARAMS },
      { type: 'stopping' },
      { type: 'finished', end: 'stopped' },
    );
    expect(state.status).toBe('finished');
    expect(state.end).toBe('stopped');
  });

  test('failed keeps the message', () => {
    const state = reduce(
      INITIAL_TRAINING_STATE,
      { type: 'started', params: DEFAULT_TRAINING_PARAMS },
      { type: 'failed', message: 'out of memory' },
    );
    expect(state).toMatchObject({ status: 'failed', error: 'out of memory' });
  });

  test.each<[string, TrainingAction]>([
    ['batch', { type: 'batch', batch: batch(0) }],
    ['backend', { type: 'backend', backend: BACKEND }],
  ])('%s moves starting to running', (_, action) => {
    const starting = trainingReducer(INITIAL_TRAINING_STATE, {
      type: 'started',
      params: DEFAULT_TRAINING_PARAMS,
    });
    expect(trainingReducer(starting, action).status).toBe('running');
  });

  test.each<TrainingStatus>(['paused', 'stopping', 'evaluating', 'finished', 'failed'])(
    'a late batch keeps the status %s (a throttled batch can land after it)',
    (status) => {
      const state = trainingReducer(
        { ...INITIAL_TRAINING_STATE, status },
        { type: 'batch', batch: batch(7) },
      );
      expect(state.status).toBe(status);
      expect(state.lastBatch).toEqual(batch(7));
    },
  );

  test('pause and resume', () => {
    const running = reduce(
      INITIAL_TRAINING_STATE,
      { type: 'started', params: DEFAULT_TRAINING_PARAMS },
      { type: 'batch', batch: batch(0) },
    );
    const paused = trainingReducer(running, { type: 'paused' });
    expect(paused.status).toBe('paused');
    expect(trainingReducer(paused, { type: 'unpaused' }).status).toBe('running');
  });

  test('a resumed run starts from its checkpoint history; checkpoint results are tracked', () => {
    const started = reduce(
      INITIAL_TRAINING_STATE,
      { type: 'started', params: DEFAULT_TRAINING_PARAMS },
      { type: 'resumed-from-checkpoint', history: [epoch(0)] },
    );
    expect(started.epochs).toEqual([epoch(0)]);
    expect(started.resumedAtEpoch).toBe(1);
    expect(started.checkpointEpochs).toBe(1);
    const failed = reduce(
      started,
      { type: 'epoch', epoch: epoch(1) },
      { type: 'checkpoint-failed', epochsCompleted: 2, message: 'Not enough browser storage.' },
    );
    expect(failed.epochs).toEqual([epoch(0), epoch(1)]);
    expect(failed.checkpointEpochs).toBe(1);
    expect(failed.checkpointError).toBe(
      'The checkpoint after epoch 2 could not be saved: Not enough browser storage. Training goes on; a reload can still resume from the checkpoint after epoch 1.',
    );
    const saved = reduce(failed, { type: 'checkpoint-saved', epochsCompleted: 3 });
    expect(saved.checkpointEpochs).toBe(3);
    expect(saved.checkpointError).toBeUndefined();
    // The next run starts clean.
    const next = reduce(saved, { type: 'started', params: DEFAULT_TRAINING_PARAMS });
    expect(next).toMatchObject({
      epochs: [],
      resumedAtEpoch: undefined,
      checkpointEpochs: undefined,
    });
  });

  test('a failed checkpoint says what a reload can still do, or that the run is unharmed', () => {
    const params = { ...DEFAULT_TRAINING_PARAMS, epochs: 2 };
    const started = reduce(INITIAL_TRAINING_STATE, { type: 'started', params });
    const first = reduce(started, {
      type: 'checkpoint-failed',
      epochsCompleted: 1,
      message: 'Quota exceeded.',
    });
    expect(first.checkpointError).toBe(
      'The checkpoint after epoch 1 could not be saved: Quota exceeded. Training goes on; until a checkpoint is saved, a reload cannot resume this run.',
    );
    const last = reduce(first, {
      type: 'checkpoint-failed',
      epochsCompleted: 2,
      message: 'Quota exceeded.',
    });
    expect(last.checkpointError).toBe(
      'The checkpoint after epoch 2 could not be saved: Quota exceeded. The run itself is not affected.',
    );
  });

  test('epochs accumulate in order', () => {
    const state = reduce(
      INITIAL_TRAINING_STATE,
      { type: 'started', params: DEFAULT_TRAINING_PARAMS },
      { type: 'epoch', epoch: epoch(0) },
      { type: 'epoch', epoch: epoch(1) },
      { type: 'epoch', epoch: epoch(2) },
    );
    expect(state.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
  });

  test('never mutates the state it is given', () => {
    const finished = completedRun(INITIAL_TRAINING_STATE);
    const snapshot = structuredClone(finished);
    completedRun(finished);
    expect(finished).toEqual(snapshot);
    expect(INITIAL_TRAINING_STATE).toEqual({ status: 'idle', runId: 0, epochs: [] });
  });
});
