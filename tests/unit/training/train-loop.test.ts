/**
 * Loop semantics on real images with a small dense model (the seed CNN is far too slow on the
 * Node cpu backend for these; seed-cnn-learning.test.ts covers it).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { trainModel } from '../../../src/training/train-loop';
import type { TrainingHooks, TrainingOutcome } from '../../../src/training/train-loop-types';
import { RunControl, yieldToEventLoop, type PauseState } from '../../../src/training/run-control';
import type { BatchMetrics, EpochMetrics, SplitArrays } from '../../../src/training/run-types';
import type { TrainingParams } from '../../../src/training/training-params';
import { loadRealSplit } from './real-data';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const REAL_TRAIN = loadRealSplit('train', 400);

/** Flatten → Dense32 relu → Dense10 softmax, seeded: fast enough for many short runs. */
function createTinyModel(seed: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({
        units: 32,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
      tf.layers.dense({
        units: 10,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
      }),
    ],
  });
}

function params(overrides: Partial<TrainingParams> = {}): TrainingParams {
  return {
    architectureId: 'conv1',
    epochs: 2,
    batchSize: 32,
    learningRate: 0.01,
    optimizer: 'adam',
    validationFraction: 0.2,
    seed: 11,
    ...overrides,
  };
}

const noWait = () => Promise.resolve();

interface Run {
  model: tf.Sequential;
  outcome: TrainingOutcome;
  batches: BatchMetrics[];
  epochs: EpochMetrics[];
  states: PauseState[];
  tensorsAtEpochEnd: number[];
}

async function run(
  p: TrainingParams,
  extraHooks: (control: RunControl, batches: BatchMetrics[]) => TrainingHooks = () => ({}),
  data: SplitArrays = REAL_TRAIN,
  yieldFn: () => Promise<void> = noWait,
  now?: () => number,
): Promise<Run> {
  const model = createTinyModel(p.seed ?? 1);
  const control = new RunControl();
  const batches: BatchMetrics[] = [];
  const epochs: EpochMetrics[] = [];
  const states: PauseState[] = [];
  const tensorsAtEpochEnd: number[] = [];
  const extra = extraHooks(control, batches);
  const outcome = await trainModel(
    model,
    { train: data },
    p,
    {
      onBatchEnd: (m) => {
        batches.push(m);
        extra.onBatchEnd?.(m);
      },
      onEpochEnd: (m) => {
        epochs.push(m);
        tensorsAtEpochEnd.push(tf.memory().numTensors);
        extra.onEpochEnd?.(m);
      },
      onPauseStateChange: (s) => {
        states.push(s);
        extra.onPauseStateChange?.(s);
      },
    },
    control,
    { yieldToEventLoop: yieldFn, now },
  );
  return { model, outcome, batches, epochs, states, tensorsAtEpochEnd };
}

function weightsOf(model: tf.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

describe('trainModel', () => {
  test('runs every batch of every epoch, validates on the tail, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const r = await run(params({ epochs: 3 }));
    // 400 × 0.8 = 320 training rows → 10 batches of 32; 80 validation rows.
    expect(r.outcome).toMatchObject({ end: 'completed', epochsCompleted: 3, batchesRun: 30 });
    expect(r.batches.map((b) => `${b.epoch}:${b.batch}`)).toEqual(
      [0, 1, 2].flatMap((e) => Array.from({ length: 10 }, (_, b) => `${e}:${b}`)),
    );
    expect(r.batches.every((b) => b.batchesPerEpoch === 10)).toBe(true);
    expect(r.batches.at(-1)!.samplesSeen).toBe(960);
    expect(r.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    for (const e of r.epochs) {
      expect(e.valLoss).toBeGreaterThan(0);
      expect(e.valAccuracy).toBeGreaterThanOrEqual(0);
      expect(e.valAccuracy).toBeLessThanOrEqual(1);
    }
    // Epoch loss is the mean of its batches' losses, weighted by batch size (all 32 here).
    const firstEpochMean = r.batches.slice(0, 10).reduce((s, b) => s + b.loss, 0) / 10;
    expect(r.epochs[0].loss).toBeCloseTo(firstEpochMean, 5);
    // The dense model learns on real images: loss falls, accuracy well above chance.
    expect(r.epochs[2].loss).toBeLessThan(r.epochs[0].loss);
    expect(r.epochs[2].valAccuracy).toBeGreaterThan(0.4);
    expect(new Set(r.tensorsAtEpochEnd).size).toBe(1);
    r.model.dispose();
    // The run freed its optimizer's slots, so disposing the model frees everything.
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a partial last batch and validationFraction 0 (NaN validation metrics)', async () => {
    const r = await run(
      params({ epochs: 1, batchSize: 64, validationFraction: 0 }),
      undefined,
      loadRealSplit('train', 100),
    );
    expect(r.batches.map((b) => b.samplesSeen)).toEqual([64, 100]);
    expect(r.epochs[0].valLoss).toBeNaN();
    expect(r.epochs[0].valAccuracy).toBeNaN();
    r.model.dispose();
  });

  test('the same seed gives the same run; another seed a different one', async () => {
    const a = await run(params({ epochs: 1 }));
    const b = await run(params({ epochs: 1 }));
    const c = await run(params({ epochs: 1, seed: 12 }));
    expect(b.epochs[0].loss).toBe(a.epochs[0].loss);
    expect(b.batches.map((x) => x.loss)).toEqual(a.batches.map((x) => x.loss));
    expect(weightsOf(b.model)).toEqual(weightsOf(a.model));
    expect(c.epochs[0].loss).not.toBe(a.epochs[0].loss);
    for (const x of [a, b, c]) x.model.dispose();
  });

  test('pause after batch k: nothing runs while paused, resume continues at k + 1', async () => {
    const reference = await run(params());
    let batchesWhenPaused = -1;
    let batchesAfterWaiting = -1;
    const paused = await run(
      params(),
      (control, batches) => ({
        onBatchEnd: (m) => {
          if (m.epoch === 0 && m.batch === 3) control.pause();
        },
        onPauseStateChange: (state) => {
          if (state !== 'paused') return;
          batchesWhenPaused = batches.length;
          // Let the event loop spin for a while: a paused loop must not run anything.
          void (async () => {
            for (let i = 0; i < 20; i++) await yieldToEventLoop();
            batchesAfterWaiting = batches.length;
            control.unpause();
          })();
        },
      }),
      REAL_TRAIN,
      yieldToEventLoop,
    );
    expect(batchesWhenPaused).toBe(4);
    expect(batchesAfterWaiting).toBe(4);
    expect(paused.states).toEqual(['paused', 'running']);
    expect(paused.batches.map((b) => `${b.epoch}:${b.batch}`)).toEqual(
      reference.batches.map((b) => `${b.epoch}:${b.batch}`),
    );
    // Resumed exactly where it left off: the run is identical to one never paused.
    expect(paused.batches.map((b) => b.loss)).toEqual(reference.batches.map((b) => b.loss));
    expect(weightsOf(paused.model)).toEqual(weightsOf(reference.model));
    reference.model.dispose();
    paused.model.dispose();
  });

  test('stop ends at the next batch boundary and keeps the model as it was then', async () => {
    const p = params();
    const stopped = await run(p, (control) => ({
      onBatchEnd: (m) => {
        if (m.epoch === 1 && m.batch === 2) control.stop();
      },
    }));
    expect(stopped.outcome).toMatchObject({ end: 'stopped', epochsCompleted: 1, batchesRun: 13 });
    expect(stopped.batches.at(-1)).toMatchObject({ epoch: 1, batch: 2 });

    // A run that stops at the same point by other means has the same weights: nothing after
    // the boundary touched the model, and the model is still usable.
    const reference = await run(p, (control) => ({
      onBatchEnd: (m) => {
        if (m.epoch === 1 && m.batch === 2) control.stop();
      },
    }));
    expect(weightsOf(stopped.model)).toEqual(weightsOf(reference.model));
    const probe = tf.tidy(
      () => (stopped.model.predict(tf.zeros([1, 28, 28, 1])) as tf.Tensor).sum().dataSync()[0],
    );
    expect(probe).toBeCloseTo(1, 4);
    stopped.model.dispose();
    reference.model.dispose();
  });

  test('stop while paused ends the run without resuming', async () => {
    const r = await run(params(), (control) => ({
      onBatchEnd: (m) => {
        if (m.batch === 1) control.pause();
      },
      onPauseStateChange: (s) => {
        if (s === 'paused') setTimeout(() => control.stop(), 0);
      },
    }));
    expect(r.outcome.end).toBe('stopped');
    expect(r.outcome.batchesRun).toBe(2);
    expect(r.states).toEqual(['paused']);
    r.model.dispose();
  });

  test('elapsed time and samples/s exclude paused time (injected clock)', async () => {
    let clockMs = 0;
    const tick = () => {
      clockMs += 1000;
      return Promise.resolve();
    };
    const r = await run(
      params({ epochs: 1, validationFraction: 0, batchSize: 100 }),
      (control) => ({
        onBatchEnd: (m) => {
          if (m.batch === 1) control.pause();
        },
        onPauseStateChange: (s) => {
          if (s === 'paused') {
            clockMs += 60_000;
            control.unpause();
          }
        },
      }),
      REAL_TRAIN,
      tick,
      () => clockMs,
    );
    // Each boundary yield costs 1 s of fake time; the 60 s pause is not counted.
    expect(r.batches.map((b) => b.elapsedMs)).toEqual([0, 1000, 2000, 3000]);
    expect(r.batches[3].samplesPerSec).toBeCloseTo((400 * 1000) / 3000, 10);
    // The epoch's end yields once more before validation (one more fake second).
    expect(r.outcome.elapsedMs).toBe(4000);
    r.model.dispose();
  });

  test('rejects bad parameters before touching the model', async () => {
    const model = createTinyModel(1);
    const control = new RunControl();
    await expect(
      trainModel(model, { train: REAL_TRAIN }, params({ batchSize: 0 }), {}, control),
    ).rejects.toThrow(/Batch size/);
    await expect(
      trainModel(
        model,
        { train: loadRealSplit('train', 1) },
        params({ validationFraction: 0.5 }),
        {},
        control,
      ),
    ).rejects.toThrow(/No training rows/);
    model.dispose();
  });
});
