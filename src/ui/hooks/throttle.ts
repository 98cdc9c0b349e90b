/**
 * A leading-and-trailing throttle with injectable time, so redraw pacing can be tested
 * without waiting. Calls `fn` at most once per `intervalMs`; a call inside the interval is
 * deferred to its end, so the last state is always drawn.
 */
export interface ThrottleClock {
  now: () => number;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

export const REAL_CLOCK: ThrottleClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface Throttled {
  /** Ask for a call; it happens now or at the end of the current interval. */
  request: () => void;
  /** Call now if a call is pending (for example when a run ends). */
  flush: () => void;
  cancel: () => void;
}

export function createThrottle(
  fn: () => void,
  intervalMs: number,
  clock: ThrottleClock = REAL_CLOCK,
): Throttled {
  let lastCallMs = -Infinity;
  let timer: unknown = null;
  const run = () => {
    timer = null;
    lastCallMs = clock.now();
    fn();
  };
  return {
    request() {
      if (timer !== null) return;
      const waitMs = lastCallMs + intervalMs - clock.now();
      if (waitMs <= 0) run();
      else timer = clock.setTimeout(run, waitMs);
    },
    flush() {
      if (timer === null) return;
      clock.clearTimeout(timer);
      run();
    },
    cancel() {
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
    },
  };
}
