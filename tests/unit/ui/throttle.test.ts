/**
 * The chart redraw throttle, driven by a hand-cranked clock: no real waiting, and every timer
 * the throttle sets is visible to the test.
 */
import { describe, expect, test } from 'vitest';
import { createThrottle, type ThrottleClock } from '../../../src/ui/hooks/throttle';

const INTERVAL_MS = 100;

interface ManualClock extends ThrottleClock {
  /** Moves time forward, firing due timers in due order at their due time. */
  advance: (ms: number) => void;
  pendingTimers: () => number;
  setTimeoutCalls: number;
  clearedHandles: unknown[];
}

function createManualClock(startMs = 1_000): ManualClock {
  let nowMs = startMs;
  let nextHandle = 1;
  const timers = new Map<number, { dueMs: number; fn: () => void }>();
  const clock: ManualClock = {
    now: () => nowMs,
    setTimeout(fn, ms) {
      clock.setTimeoutCalls++;
      const handle = nextHandle++;
      timers.set(handle, { dueMs: nowMs + ms, fn });
      return handle;
    },
    clearTimeout(handle) {
      clock.clearedHandles.push(handle);
      timers.delete(handle as number);
    },
    advance(ms) {
      const endMs = nowMs + ms;
      for (;;) {
        const due = [...timers.entries()]
          .filter(([, t]) => t.dueMs <= endMs)
          .sort((a, b) => a[1].dueMs - b[1].dueMs)[0];
        if (!due) break;
        timers.delete(due[0]);
        nowMs = due[1].dueMs;
        due[1].fn();
      }
      nowMs = endMs;
    },
    pendingTimers: () => timers.size,
    setTimeoutCalls: 0,
    clearedHandles: [],
  };
  return clock;
}

/** A throttled function that records the clock time of every call. */
function setup() {
  const clock = createManualClock();
  const callTimesMs: number[] = [];
  const throttled = createThrottle(() => callTimesMs.push(clock.now()), INTERVAL_MS, clock);
  return { clock, callTimesMs, throttled };
}

describe('createThrottle', () => {
  test('the first request runs at once, without a timer', () => {
    const { clock, callTimesMs, throttled } = setup();
    throttled.request();
    expect(callTimesMs).toEqual([1_000]);
    expect(clock.setTimeoutCalls).toBe(0);
  });

  test('a request inside the interval is deferred to the end of the interval', () => {
    const { clock, callTimesMs, throttled } = setup();
    throttled.request();
    clock.advance(30);
    throttled.request();
    expect(callTimesMs).toEqual([1_000]);
    clock.advance(69);
    expect(callTimesMs).toEqual([1_000]);
    clock.advance(1);
    expect(callTimesMs).toEqual([1_000, 1_100]);
  });

  test('many requests inside one interval give exactly one deferred call (the trailing one)', () => {
    const { clock, callTimesMs, throttled } = setup();
    throttled.request();
    for (let i = 0; i < 50; i++) {
      clock.advance(1);
      throttled.request();
    }
    expect(clock.setTimeoutCalls).toBe(1);
    clock.advance(1_000);
    expect(callTimesMs).toEqual([1_000, 1_100]);
    expect(clock.pendingTimers()).toBe(0);
  });

  test('a steady stream of requests is paced to one call per interval, and the last is drawn', () => {
    const { clock, callTimesMs, throttled } = setup();
    // A request every 10 ms for 1 s, like per-batch metrics arriving.
    for (let t = 0; t <= 1_000; t += 10) {
      throttled.request();
      clock.advance(10);
    }
    clock.advance(INTERVAL_MS);
    const gapsMs = callTimesMs.slice(1).map((t, i) => t - callTimesMs[i]);
    expect(gapsMs.every((gap) => gap >= INTERVAL_MS)).toBe(true);
    // 1_000, 1_100, …, 2_000, and 2_100 for the request made at 2_000 right after a call.
    expect(callTimesMs).toEqual(Array.from({ length: 12 }, (_, i) => 1_000 + i * INTERVAL_MS));
  });

  test('the interval restarts from the deferred call, not from the request', () => {
    const { clock, callTimesMs, throttled } = setup();
    throttled.request(); // 1_000
    clock.advance(50);
    throttled.request(); // deferred to 1_100
    clock.advance(60); // now 1_110, deferred call ran at 1_100
    throttled.request(); // within 100 ms of 1_100: deferred to 1_200
    expect(callTimesMs).toEqual([1_000, 1_100]);
    clock.advance(90);
    expect(callTimesMs).toEqual([1_000, 1_100, 1_200]);
  });

  test('a request after the interval has passed runs at once', () => {
    const { clock, callTimesMs, throttled } = setup();
    throttled.request();
    clock.advance(INTERVAL_MS);
    throttled.request();
    expect(callTimesMs).toEqual([1_000, 1_100]);
    expect(clock.setTimeoutCalls).toBe(0);
  });

  test('flush runs a pending call now and its timer never fires a second call', () => {
    const { clock, callTimesMs, throttled } = setup();
    throttled.request();
    clock.advance(20);
    throttled.request();
    throttled.flush();
    expect(callTimesMs).toEqual([1_000, 1_020]);
    expect(clock.clearedHandles).toHaveLength(1);
    clock.advance(1_000);
    expect(callTimesMs).toEqual([1_000, 1_020]);
  });

  test('flush without a pending call does nothing', () => {
    const { clock, callTimesMs, throttled } = setup();
    throttled.flush();
    expect(callTimesMs).toEqual([]);
    throttled.request();
    throttled.flush();
    expect(callTimesMs).toEqual([1_000]);
    clock.advance(1_000);
    expect(callTimesMs).toEqual([1_000]);
  });

  test('flush restarts the interval, so a request right after it is deferred', () => {
    const { clock, callTimesMs, throttled } = setup();
    throttled.request();
    clock.advance(20);
    throttled.request();
    throttled.flush(); // at 1_020
    clock.advance(10);
    throttled.request();
    expect(callTimesMs).toEqual([1_000, 1_020]);
    clock.advance(90);
    expect(callTimesMs).toEqual([1_000, 1_020, 1_120]);
  });

  test('cancel drops the pending call', () => {
    const { clock, callTimesMs, throttled } = setup();
    throttled.request();
    clock.advance(20);
    throttled.request();
    throttled.cancel();
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(1_000);
    expect(callTimesMs).toEqual([1_000]);
    // A cancelled call is gone for good: flush has nothing to run.
    throttled.flush();
    expect(callTimesMs).toEqual([1_000]);
  });

  test('requests work again after cancel', () => {
    const { clock, callTimesMs, throttled } = setup();
    throttled.request();
    clock.advance(20);
    throttled.request();
    throttled.cancel();
    throttled.request(); // still within the first interval: deferred to 1_100
    expect(callTimesMs).toEqual([1_000]);
    clock.advance(80);
    expect(callTimesMs).toEqual([1_000, 1_100]);
  });
});
