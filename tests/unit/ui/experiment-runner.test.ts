/**
 * The six-architecture experiment without a page: its runs start in the table's order with the
 * same settings, each after the previous one completed; its state is kept in IndexedDB
 * (fake-indexeddb) so a new page continues it, resuming the interrupted run's checkpoint; a
 * run that completed just before a reload is not trained again; Stop pauses it; a lock that
 * is still held a moment after a run is waited for. And the estimate it shows before it starts.
 */
import { deleteAllDatabases } from '../storage/idb-test-env';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { ARCHITECTURES, type ArchitectureId } from '../../../src/model/architecture-catalog';
import { createExperimentStore } from '../../../src/storage/experiment-store';
import type { RunRecord } from '../../../src/storage/run-store';
import type { RunEnd } from '../../../src/training/run-types';
import {
  DEFAULT_TRAINING_PARAMS,
  type TrainingParams,
} from '../../../src/training/training-params';
import {
  estimateExperiment,
  multiplyAddsPerImage,
  pickThroughput,
} from '../../../src/ui/experiment/experiment-estimate';
import {
  createExperimentRunner,
  type ExperimentLauncher,
  type ExperimentView,
} from '../../../src/ui/experiment/experiment-runner';
import type { RunObserver } from '../../../src/ui/training/training-run-options';

const DATASET_KEY = 'train:2000:0a0b0c0d|test:2000:01020304';
const SETTINGS: TrainingParams = { ...DEFAULT_TRAINING_PARAMS, epochs: 2, batchSize: 32, seed: 4 };

/** One start or resume the runner asked of the launcher. */
interface LaunchCall {
  kind: 'start' | 'resume';
  params?: TrainingParams;
  observer: RunObserver;
}

/**
 * A launcher that starts nothing but records what it was asked, and a runs table that the
 * test fills as the real launcher does when a run ends. `busyStarts` refusals come first, as
 * when the previous run's training lock is not yet released.
 */
function fakeLauncher(options: { busyStarts?: number; resumableRunId?: string } = {}) {
  const calls: LaunchCall[] = [];
  const runs: RunRecord[] = [];
  let busy = options.busyStarts ?? 0;
  const launcher: ExperimentLauncher = {
    loadedDatasetKey: DATASET_KEY,
    hasResumableData: true,
    resumable: {
      resumable: options.resumableRunId
        ? {
            runId: options.resumableRunId,
            epochsCompleted: 1,
            params: SETTINGS,
            datasetKey: DATASET_KEY,
            savedAt: '',
            expectedCounts: null,
          }
        : null,
    } as ExperimentLauncher['resumable'],
    startRun: (params, _initial, observer) => {
      if (busy > 0) {
        busy--;
        return Promise.resolve(false);
      }
      calls.push({ kind: 'start', params, observer: observer! });
      return Promise.resolve(true);
    },
    resumeRun: (observer) => {
      calls.push({ kind: 'resume', observer: observer! });
      return Promise.resolve(true);
    },
  };
  /** Ends the latest run as the launcher would: a record in the table, then the observer. */
  const finishLatest = (end: RunEnd, architectureId: ArchitectureId) => {
    const { observer } = calls[calls.length - 1];
    const run = {
      id: runs.length + 1,
      end,
      experimentId: observer.experimentId,
      trainingParams: { ...SETTINGS, architectureId },
    } as RunRecord;
    if (end !== 'failed') runs.push(run);
    observer.onFinished?.(end, end === 'failed' ? undefined : run);
  };
  return { launcher, calls, runs, finishLatest };
}

function runnerWith(fake: ReturnType<typeof fakeLauncher>) {
  const views: ExperimentView[] = [];
  let id = 0;
  const runner = createExperimentRunner(
    {
      loadStore: async () => createExperimentStore(),
      launcher: { current: fake.launcher },
      runs: { current: fake.runs },
      newId: () => `id-${++id}`,
      now: () => new Date('2026-01-02T03:04:05Z'),
      wait: async () => undefined,
    },
    (view) => views.push(view),
  );
  return { runner, view: () => views[views.length - 1] };
}

afterEach(deleteAllDatabases);

const IDS = ARCHITECTURES.map((a) => a.id);

describe('the six-architecture experiment', () => {
  test('trains the six in order with the same settings, each after the last completed', async () => {
    const fake = fakeLauncher();
    const { runner, view } = runnerWith(fake);
    runner.prepare(SETTINGS);
    await runner.start();
    for (const [index, id] of IDS.entries()) {
      await vi.waitFor(() => expect(fake.calls).toHaveLength(index + 1));
      const call = fake.calls[index];
      expect(call.params).toEqual({ ...SETTINGS, architectureId: id });
      expect(call.observer.experimentId).toBe('id-1');
      expect(view()).toMatchObject({ isRunning: true, experiment: { nextIndex: index } });
      // The checkpoint run id is kept before the run starts, so a reload can find it.
      expect((await createExperimentStore().load())?.currentRunId).toBe(call.observer.runId);
      fake.finishLatest('completed', id);
    }
    await vi.waitFor(() => expect(view().finishedId).toBe('id-1'));
    expect(view()).toMatchObject({ experiment: null, isRunning: false });
    expect(fake.calls).toHaveLength(6);
    expect(await createExperimentStore().load()).toBeNull();
  });

  test('a new page continues: the interrupted run resumes from its checkpoint, then the rest', async () => {
    const first = fakeLauncher();
    const before = runnerWith(first);
    before.runner.prepare(SETTINGS);
    await before.runner.start();
    first.finishLatest('completed', 'conv1');
    await vi.waitFor(() => expect(first.calls).toHaveLength(2));
    const interruptedRunId = first.calls[1].observer.runId;

    // The reload: a new runner, the same storage, the runs table kept, the checkpoint there.
    const second = fakeLauncher({ resumableRunId: interruptedRunId });
    second.runs.push(...first.runs);
    const after = runnerWith(second);
    await after.runner.load();
    expect(after.view()).toMatchObject({ isRunning: false, experiment: { nextIndex: 1 } });
    await after.runner.continueExperiment();
    expect(second.calls.map((c) => c.kind)).toEqual(['resume']);
    expect(second.calls[0].observer.experimentId).toBe('id-1');
    second.finishLatest('completed', 'conv2');
    await vi.waitFor(() => expect(second.calls).toHaveLength(2));
    expect(second.calls[1].params?.architectureId).toBe('conv2-pool2');
  });

  test('a run that completed just before the reload is not trained again', async () => {
    const first = fakeLauncher();
    const before = runnerWith(first);
    before.runner.prepare(SETTINGS);
    await before.runner.start();
    // The run's record is in the table, but the page went before the next run was saved.
    first.runs.push({
      id: 1,
      end: 'completed',
      experimentId: 'id-1',
      trainingParams: { ...SETTINGS, architectureId: 'conv1' },
    } as RunRecord);
    const second = fakeLauncher();
    second.runs.push(...first.runs);
    const after = runnerWith(second);
    await after.runner.load();
    await after.runner.continueExperiment();
    expect(second.calls.map((c) => [c.kind, c.params?.architectureId])).toEqual([
      ['start', 'conv2'],
    ]);
  });

  test('Stop pauses the experiment; Continue resumes the stopped run', async () => {
    const fake = fakeLauncher();
    const { runner, view } = runnerWith(fake);
    runner.prepare(SETTINGS);
    await runner.start();
    fake.finishLatest('stopped', 'conv1');
    expect(view()).toMatchObject({ isRunning: false, experiment: { nextIndex: 0 } });
    expect(view().problem).toMatch(/^The experiment is paused/);
    fake.launcher.resumable = {
      resumable: { runId: fake.calls[0].observer.runId },
    } as ExperimentLauncher['resumable'];
    await runner.continueExperiment();
    expect(fake.calls.map((c) => c.kind)).toEqual(['start', 'resume']);
    expect(view()).toMatchObject({ isRunning: true, problem: null });
  });

  test('waits for a lock still held a moment after the previous run', async () => {
    const fake = fakeLauncher({ busyStarts: 2 });
    const { runner, view } = runnerWith(fake);
    runner.prepare(SETTINGS);
    await runner.start();
    expect(fake.calls).toHaveLength(1);
    expect(view().isRunning).toBe(true);

    const busy = fakeLauncher({ busyStarts: 99 });
    const blocked = runnerWith(busy);
    blocked.runner.prepare(SETTINGS);
    await blocked.runner.start();
    expect(blocked.view()).toMatchObject({ isRunning: false });
    expect(blocked.view().problem).toMatch(/another tab of the app is training/);
  });
});

describe('the estimate before it starts', () => {
  test('multiply-adds per image, counted by hand for architecture 1', () => {
    // conv 3×3×1→64 valid on 28×28: 26·26·64·9; dense 6·6·64→256, 256→64, 64→10.
    const byHand = 26 * 26 * 64 * 9 + 2304 * 256 + 256 * 64 + 64 * 10;
    expect(multiplyAddsPerImage('conv1')).toBe(byHand);
    // The seed CNN's 28×28×64→64 convolution alone outweighs all of architecture 1.
    expect(multiplyAddsPerImage('seed-cnn')).toBeGreaterThan(28 * 28 * 64 * 9 * 64);
  });

  test('scales a measured throughput by each architecture’s cost', () => {
    const measured = {
      architectureId: 'seed-cnn' as const,
      samplesPerSec: 400,
      backend: 'wasm',
      source: { kind: 'run' } as const,
    };
    const estimate = estimateExperiment(
      { epochs: 10, validationFraction: 0.2 },
      { train: 60_000, test: 10_000 },
      measured,
    );
    const seedIndex = IDS.indexOf('seed-cnn');
    // 10 epochs of 48,000 images at 400/s, and the test set at three times that: 1,208.3 s.
    expect(estimate.perArchitectureMs[seedIndex]).toBeCloseTo((4800 / 4 + 10_000 / 1200) * 1000, 3);
    const ratio = multiplyAddsPerImage('conv2') / multiplyAddsPerImage('seed-cnn');
    expect(estimate.perArchitectureMs[IDS.indexOf('conv2')]).toBeCloseTo(
      estimate.perArchitectureMs[seedIndex] * ratio,
      3,
    );
    expect(estimate.totalMs).toBeCloseTo(
      estimate.perArchitectureMs.reduce((a, b) => a + b, 0),
      6,
    );
  });

  test('measures from the latest backend’s costliest architecture', () => {
    const run = (id: number, architectureId: ArchitectureId, backend: string, sps?: number) => ({
      id,
      backend,
      samplesPerSec: sps,
      trainingParams: { architectureId },
    });
    expect(pickThroughput([])).toBeNull();
    expect(pickThroughput([run(1, 'seed-cnn', 'wasm')])).toBeNull();
    expect(
      pickThroughput([
        run(1, 'conv3-pool2', 'cpu', 20),
        run(2, 'seed-cnn', 'wasm', 300),
        run(3, 'conv1', 'wasm', 9000),
      ]),
    ).toEqual({
      architectureId: 'seed-cnn',
      samplesPerSec: 300,
      backend: 'wasm',
      source: { kind: 'run' },
    });
  });

  test('a throughput of training steps alone adds the validation passes', () => {
    const params = { epochs: 10, validationFraction: 0.2 };
    const counts = { train: 60_000, test: 10_000 };
    const measured = { architectureId: 'seed-cnn' as const, samplesPerSec: 400, backend: 'wasm' };
    const seedIndex = IDS.indexOf('seed-cnn');
    const fromRun = estimateExperiment(params, counts, { ...measured, source: { kind: 'run' } });
    const fromSteps = estimateExperiment(params, counts, {
      ...measured,
      source: { kind: 'steps', steps: 4, warmUpSteps: 2 },
    });
    // 10 passes over 12,000 validation images at three times the training speed: 100 s more.
    expect(
      fromSteps.perArchitectureMs[seedIndex] - fromRun.perArchitectureMs[seedIndex],
    ).toBeCloseTo(((10 * 12_000) / 1200) * 1000, 3);
  });
});
