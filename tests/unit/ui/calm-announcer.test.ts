/**
 * Live-region announcements at a calm rate, on a hand-cranked clock: a run reporting batches
 * four times a second for two minutes is spoken a handful of times, every event gets said
 * (the latest of a burst), progress never pushes an event out; and the words for a run's events.
 */
import { describe, expect, test } from 'vitest';
import type { EpochMetrics } from '../../../src/training/run-types';
import { DEFAULT_TRAINING_PARAMS } from '../../../src/training/training-params';
import {
  createCalmAnnouncer,
  MIN_ANNOUNCEMENT_GAP_MS,
  PROGRESS_ANNOUNCEMENT_INTERVAL_MS,
} from '../../../src/ui/feedback/calm-announcer';
import type { ThrottleClock } from '../../../src/ui/hooks/throttle';
import {
  announcementsBetween,
  progressAnnouncement,
} from '../../../src/ui/training/training-announcements';
import {
  INITIAL_TRAINING_STATE,
  type TrainingState,
} from '../../../src/ui/training/training-state';

/** A clock the test moves by hand; due timers fire in order. */
function manualClock(): ThrottleClock & { advance: (ms: number) => void } {
  let nowMs = 0;
  let next = 1;
  const timers = new Map<number, { dueMs: number; fn: () => void }>();
  return {
    now: () => nowMs,
    setTimeout(fn, ms) {
      timers.set(next, { dueMs: nowMs + ms, fn });
      return next++;
    },
    clearTimeout: (handle) => timers.delete(handle as number),
    advance(ms) {
      const endMs = nowMs + ms;
      for (;;) {
        const due = [...timers.entries()].sort((a, b) => a[1].dueMs - b[1].dueMs)[0];
        if (!due || due[1].dueMs > endMs) break;
        timers.delete(due[0]);
        nowMs = due[1].dueMs;
        due[1].fn();
      }
      nowMs = endMs;
    },
  };
}

describe('calm announcer', () => {
  test('four batches a second for two minutes: progress at most every 30 s', () => {
    const clock = manualClock();
    const said: [number, string][] = [];
    const announcer = createCalmAnnouncer((text) => said.push([clock.now(), text]), clock);
    for (let t = 0; t < 120_000; t += 250) {
      announcer.progress(`batch at ${t} ms`);
      clock.advance(250);
    }
    expect(said.map(([at]) => at)).toEqual([0, 30_000, 60_000, 90_000]);
    expect(PROGRESS_ANNOUNCEMENT_INTERVAL_MS).toBe(30_000);
  });

  test('events wait for the quiet time, the latest of a burst is said, progress never replaces one', () => {
    const clock = manualClock();
    const said: [number, string][] = [];
    const announcer = createCalmAnnouncer((text) => said.push([clock.now(), text]), clock);
    announcer.event('Training started.');
    clock.advance(1000);
    announcer.event('Epoch 1 of 3 done.');
    announcer.progress('Epoch 2 of 3, 40% done.');
    clock.advance(1000);
    announcer.event('Epoch 2 of 3 done.');
    clock.advance(MIN_ANNOUNCEMENT_GAP_MS);
    expect(said).toEqual([
      [0, 'Training started.'],
      [MIN_ANNOUNCEMENT_GAP_MS, 'Epoch 2 of 3 done.'],
    ]);
    // Quiet long enough: the next event is said at once.
    clock.advance(MIN_ANNOUNCEMENT_GAP_MS);
    announcer.event('Finished: test accuracy 85.00%.');
    expect(said.at(-1)).toEqual([
      2000 + 2 * MIN_ANNOUNCEMENT_GAP_MS,
      'Finished: test accuracy 85.00%.',
    ]);
  });

  test('cancel forgets what waits', () => {
    const clock = manualClock();
    const said: string[] = [];
    const announcer = createCalmAnnouncer((text) => said.push(text), clock);
    announcer.event('one');
    announcer.event('two');
    announcer.cancel();
    clock.advance(60_000);
    expect(said).toEqual(['one']);
  });
});

const epoch = (index: number, valAccuracy = 0.8): EpochMetrics => ({
  epoch: index,
  loss: 0.5,
  accuracy: 0.82,
  valLoss: 0.55,
  valAccuracy,
  elapsedMs: 1000,
});

describe('what a run says', () => {
  const params = { ...DEFAULT_TRAINING_PARAMS, epochs: 3 };
  const running: TrainingState = {
    ...INITIAL_TRAINING_STATE,
    status: 'running',
    runId: 1,
    params,
    epochs: [epoch(0)],
  };

  test('status changes and finished epochs, in the page’s words', () => {
    const started = { ...running, status: 'starting' as const, epochs: [] };
    expect(announcementsBetween(INITIAL_TRAINING_STATE, started)).toEqual(['Training started.']);
    expect(announcementsBetween(running, { ...running, epochs: [epoch(0), epoch(1)] })).toEqual([
      'Epoch 2 of 3 done: accuracy 82.00%, validation accuracy 80.00%.',
    ]);
    expect(
      announcementsBetween(running, { ...running, epochs: [epoch(0), epoch(1, NaN)] }),
    ).toEqual(['Epoch 2 of 3 done: accuracy 82.00%.']);
    const paused = { ...running, status: 'paused' as const };
    expect(announcementsBetween(running, paused)).toEqual(['Training paused.']);
    expect(announcementsBetween(paused, running)).toEqual(['Training continues.']);
    expect(announcementsBetween(running, { ...running, status: 'failed' })).toEqual([]);
    expect(
      announcementsBetween(running, {
        ...running,
        status: 'finished',
        evaluation: { accuracy: 0.8512 } as TrainingState['evaluation'],
      }),
    ).toEqual(['Finished: test accuracy 85.12%.']);
    // A resumed run's restored history is not announced as new epochs.
    expect(
      announcementsBetween(INITIAL_TRAINING_STATE, { ...started, epochs: [epoch(0), epoch(1)] }),
    ).toEqual(['Training started.']);
    // The first render says nothing: the page was just opened.
    expect(announcementsBetween(null, running)).toEqual([]);
  });

  test('progress while training, from the latest batch', () => {
    const lastBatch = {
      epoch: 1,
      batch: 4,
      batchesPerEpoch: 10,
      loss: 0.4,
      accuracy: 0.85,
      samplesSeen: 960,
      samplesPerSec: 120,
      elapsedMs: 8000,
    };
    expect(progressAnnouncement({ ...running, lastBatch })).toBe(
      'Epoch 2 of 3, 50% of the run done.',
    );
    expect(progressAnnouncement({ ...running, status: 'paused', lastBatch })).toBeNull();
  });
});
