/**
 * The experiment's own measurement when no run was timed: a few steps of the costliest
 * architecture on real images, through a real training session (the main-thread engine on
 * tfjs' cpu backend), the warm-up left out of the timing, the run stopped once timed, nothing
 * left behind; and an abort stops it at the next step.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import type { LoadedSplit } from '../../../src/data/ingest-types';
import { ARCHITECTURES } from '../../../src/model/architecture-catalog';
import type { BatchMetrics } from '../../../src/training/run-types';
import { createTrainingSession } from '../../../src/training/training-client';
import { DEFAULT_TRAINING_PARAMS } from '../../../src/training/training-params';
import type { TrainingSession } from '../../../src/training/training-session-types';
import { multiplyAddsPerImage } from '../../../src/ui/experiment/experiment-estimate';
import {
  costliestArchitecture,
  measureThroughput,
  measurementRun,
  throughputBetween,
  TIMED_STEPS,
  WARM_UP_STEPS,
} from '../../../src/ui/experiment/measure-throughput';
import { CPU_BACKEND_REQUEST, loadRealSplit } from '../training/real-data';

function loadedSplit(split: 'train' | 'test', count: number): LoadedSplit {
  const { images, labels } = loadRealSplit(split, count);
  return { split, images, labels, count, sourceFiles: [], parser: 'idx', elapsedMs: 0 };
}

const DATA = { train: loadedSplit('train', 500), test: loadedSplit('test', 100) };
// Batch 2 keeps the costliest architecture's steps short on the cpu backend.
const PARAMS = { ...DEFAULT_TRAINING_PARAMS, batchSize: 2, validationFraction: 0.25, seed: 3 };

/** A main-thread session whose batch reports the test sees too. */
function observedSession() {
  const session = createTrainingSession({ preferWorker: false, locks: null });
  const batches: BatchMetrics[] = [];
  const start: TrainingSession['start'] = (data, params, request, hooks, options) =>
    session.start(
      data,
      params,
      request,
      {
        ...hooks,
        onBatch: (batch) => {
          batches.push(batch);
          hooks?.onBatch?.(batch);
        },
      },
      options,
    );
  return {
    session: { start, stop: () => session.stop() },
    batches,
    dispose: () => session.dispose(),
  };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the run that measures', () => {
  test('the costliest architecture is the one with the most multiply-adds', () => {
    const costs = ARCHITECTURES.map((a) => multiplyAddsPerImage(a.id));
    expect(multiplyAddsPerImage(costliestArchitecture())).toBe(Math.max(...costs));
    // Architectures 4 and 5 count the same; 5 also normalizes, so it is the one timed.
    expect(costliestArchitecture()).toBe('conv3-pool2-bn');
  });

  test('takes rows for the warm-up and timed steps, and epochs when the split is small', () => {
    const run = measurementRun({ ...PARAMS, batchSize: 8, validationFraction: 0.2 }, DATA);
    // 6 steps of 8 after a 20 % validation share: 61 rows, 48 of them trained on, one epoch.
    expect(run.data.train.labels.length).toBe(61);
    expect(run.data.train.images.length).toBe(61 * 784);
    expect(run.data.test.labels.length).toBe(8);
    expect(run.params).toMatchObject({ architectureId: costliestArchitecture(), epochs: 1 });
    const small = { train: loadedSplit('train', 20), test: loadedSplit('test', 5) };
    const smallRun = measurementRun({ ...PARAMS, batchSize: 8, validationFraction: 0.2 }, small);
    // 16 training rows give 2 steps an epoch: 3 epochs for 6 steps; the test set has 5 rows.
    expect(smallRun.params.epochs).toBe(3);
    expect(smallRun.data.test.labels.length).toBe(5);
  });

  test('throughput between two reports, on the engine’s clock', () => {
    const report = (samplesSeen: number, elapsedMs: number) =>
      ({ samplesSeen, elapsedMs }) as BatchMetrics;
    expect(throughputBetween(report(128, 900), report(384, 1400))).toBe(512);
    expect(throughputBetween(report(128, 900), report(384, 900))).toBe(0);
  });
});

describe('measureThroughput on a real session', () => {
  test('times the steps after the warm-up, stops the run and leaves no tensors', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const { session, batches, dispose } = observedSession();
    const run = measurementRun(PARAMS, DATA);
    const measured = await measureThroughput(
      session,
      CPU_BACKEND_REQUEST,
      run,
      new AbortController().signal,
    );
    dispose();
    expect(measured).toMatchObject({
      architectureId: costliestArchitecture(),
      backend: 'cpu (main thread)',
      source: { kind: 'steps', steps: TIMED_STEPS, warmUpSteps: WARM_UP_STEPS },
    });
    expect(batches.length).toBeGreaterThanOrEqual(WARM_UP_STEPS + TIMED_STEPS);
    expect(measured.samplesPerSec).toBeGreaterThan(0);
    expect(measured.samplesPerSec).toBe(
      throughputBetween(batches[WARM_UP_STEPS - 1], batches[WARM_UP_STEPS + TIMED_STEPS - 1]),
    );
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  }, 120_000);

  test('an abort stops the run at the next step and rejects', async () => {
    const { session, batches, dispose } = observedSession();
    const abort = new AbortController();
    abort.abort();
    await expect(
      measureThroughput(session, CPU_BACKEND_REQUEST, measurementRun(PARAMS, DATA), abort.signal),
    ).rejects.toMatchObject({ name: 'AbortError' });
    dispose();
    expect(batches.length).toBeLessThan(WARM_UP_STEPS + TIMED_STEPS);
  }, 120_000);
});
