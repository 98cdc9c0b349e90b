/**
 * Steering a run from outside and timing it: pause, unpause and stop requests honoured at the
 * next batch boundary, a yield that lets those requests in, and a clock with pauses cut out.
 */

/** Whether the loop is training or holding at a batch boundary. */
export type PauseState = 'running' | 'paused';

/**
 * Pause / unpause / stop requests, honoured at the next batch boundary. Like an AbortSignal, a
 * stop is final; one RunControl steers one run.
 */
export class RunControl {
  private paused = false;
  private stopped = false;
  private wake: (() => void) | null = null;

  get isPauseRequested(): boolean {
    return this.paused;
  }

  get isStopRequested(): boolean {
    return this.stopped;
  }

  pause(): void {
    if (!this.stopped) this.paused = true;
  }

  unpause(): void {
    this.paused = false;
    this.wakeUp();
  }

  stop(): void {
    this.stopped = true;
    this.paused = false;
    this.wakeUp();
  }

  /** Resolves when unpaused or stopped (immediately if not paused). */
  waitWhilePaused(): Promise<void> {
    if (!this.paused) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/**
 * Yields to the event loop with a MessageChannel task: unlike setTimeout(0), browsers do not
 * clamp it to 4 ms after nesting, and it lets queued worker messages run first.
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof MessageChannel === 'undefined') {
    return new Promise((resolve) => setTimeout(resolve, 0));
  }
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Tracks training time with pauses cut out, in milliseconds of `now`. */
export class ActiveClock {
  private activeMs: number;
  private since: number;

  constructor(
    private readonly now: () => number,
    startMs = 0,
  ) {
    this.activeMs = startMs;
    this.since = now();
  }

  elapsedMs(): number {
    return this.since < 0 ? this.activeMs : this.activeMs + (this.now() - this.since);
  }

  suspend(): void {
    this.activeMs = this.elapsedMs();
    this.since = -1;
  }

  restart(): void {
    this.since = this.now();
  }
}
