/**
 * The chart redraw runner: one job at a time, requests during a job served once afterwards.
 * `defer` is a queue the test drains by hand, and every job's promise is settled by the test.
 */
import { describe, expect, test } from 'vitest';
import { createCoalescedRunner } from '../../../src/ui/charts/coalesced-runner';

/** Lets promise callbacks (the runner's `then`) run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function setup() {
  const deferred: (() => void)[] = [];
  const settlers: { resolve: () => void; reject: (e: Error) => void }[] = [];
  let jobsStarted = 0;
  let jobsActive = 0;
  let maxJobsActive = 0;
  const job = () =>
    new Promise<void>((resolve, reject) => {
      jobsStarted++;
      jobsActive++;
      maxJobsActive = Math.max(maxJobsActive, jobsActive);
      const done = () => {
        jobsActive--;
      };
      settlers.push({
        resolve: () => {
          done();
          resolve();
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
    });
  const runner = createCoalescedRunner(job, (start) => deferred.push(start));
  /** Starts the oldest deferred job. */
  const startNext = () => {
    const start = deferred.shift();
    if (!start) throw new Error('nothing deferred');
    start();
  };
  return {
    runner,
    deferred,
    settlers,
    startNext,
    stats: () => ({ jobsStarted, jobsActive, maxJobsActive }),
  };
}

describe('createCoalescedRunner', () => {
  test('a request starts the job through defer, not synchronously', () => {
    const { runner, deferred, startNext, stats } = setup();
    runner.request();
    expect(deferred).toHaveLength(1);
    expect(stats().jobsStarted).toBe(0);
    startNext();
    expect(stats().jobsStarted).toBe(1);
  });

  test('many requests during a run give exactly one more run after it', async () => {
    const { runner, deferred, settlers, startNext, stats } = setup();
    runner.request();
    runner.request(); // before the job started
    startNext();
    for (let i = 0; i < 20; i++) runner.request(); // while it runs
    expect(deferred).toHaveLength(0);
    settlers[0].resolve();
    await settle();
    expect(deferred).toHaveLength(1);
    startNext();
    expect(stats().jobsStarted).toBe(2);
    settlers[1].resolve();
    await settle();
    expect(deferred).toHaveLength(0);
    expect(stats()).toEqual({ jobsStarted: 2, jobsActive: 0, maxJobsActive: 1 });
  });

  test('a run with no requests during it is not followed by another', async () => {
    const { runner, deferred, settlers, startNext, stats } = setup();
    runner.request();
    startNext();
    settlers[0].resolve();
    await settle();
    expect(deferred).toHaveLength(0);
    expect(stats().jobsStarted).toBe(1);
    runner.request();
    expect(deferred).toHaveLength(1);
  });

  test('never more than one job at a time over many request/finish cycles', async () => {
    const { runner, deferred, settlers, startNext, stats } = setup();
    for (let cycle = 0; cycle < 10; cycle++) {
      runner.request();
      runner.request();
      startNext();
      runner.request();
      settlers.at(-1)?.resolve();
      await settle();
      // The request made during the run is served once, then the runner goes quiet.
      startNext();
      runner.request();
      runner.request();
      expect(deferred).toHaveLength(0);
      settlers.at(-1)?.resolve();
      await settle();
      startNext();
      settlers.at(-1)?.resolve();
      await settle();
      expect(deferred).toHaveLength(0);
    }
    expect(stats().jobsStarted).toBe(30);
    expect(stats().maxJobsActive).toBe(1);
    expect(stats().jobsActive).toBe(0);
  });

  test('a job that rejects still lets pending and later requests run', async () => {
    const { runner, deferred, settlers, startNext, stats } = setup();
    runner.request();
    startNext();
    runner.request();
    settlers[0].reject(new Error('vega failed'));
    await settle();
    expect(deferred).toHaveLength(1);
    startNext();
    settlers[1].reject(new Error('vega failed again'));
    await settle();
    runner.request();
    expect(deferred).toHaveLength(1);
    startNext();
    expect(stats().jobsStarted).toBe(3);
  });

  test('dispose before the deferred start skips the job and ignores later requests', async () => {
    const { runner, deferred, startNext, stats } = setup();
    runner.request();
    runner.dispose();
    startNext();
    await settle();
    expect(stats().jobsStarted).toBe(0);
    runner.request();
    expect(deferred).toHaveLength(0);
  });

  test('dispose during a run drops the pending request', async () => {
    const { runner, deferred, settlers, startNext, stats } = setup();
    runner.request();
    startNext();
    runner.request();
    runner.dispose();
    settlers[0].resolve();
    await settle();
    expect(deferred).toHaveLength(0);
    expect(stats().jobsStarted).toBe(1);
  });

  test('the default defer starts the job in a later task', async () => {
    let jobsStarted = 0;
    const runner = createCoalescedRunner(async () => {
      jobsStarted++;
    });
    runner.request();
    expect(jobsStarted).toBe(0);
    await settle();
    expect(jobsStarted).toBe(1);
    runner.dispose();
  });
});
