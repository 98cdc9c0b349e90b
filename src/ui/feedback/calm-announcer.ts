/**
 * Announcements for screen readers at a calm rate. Training reports a batch many times a
 * second; a live region that changed that often would talk without pause. Here an event (the
 * run started, paused, an epoch ended, it finished) is said at most once per
 * MIN_ANNOUNCEMENT_GAP_MS, the latest of several waiting its turn; plain progress ("epoch 3 of
 * 10, 40 % done") at most once per PROGRESS_ANNOUNCEMENT_INTERVAL_MS, and never in place of a
 * waiting event. Time is injectable, so the pacing is tested without waiting.
 */
import { REAL_CLOCK, type ThrottleClock } from '../hooks/throttle';

/** Quiet time after any announcement, ms. */
export const MIN_ANNOUNCEMENT_GAP_MS = 5_000;
/** Quiet time between two progress announcements, ms. */
export const PROGRESS_ANNOUNCEMENT_INTERVAL_MS = 30_000;

export interface CalmAnnouncer {
  /** Something happened: said now, or when the quiet time is over (the latest event wins). */
  event: (text: string) => void;
  /** How far it is: said only if no progress was said within the interval. */
  progress: (text: string) => void;
  cancel: () => void;
}

export function createCalmAnnouncer(
  announce: (text: string) => void,
  clock: ThrottleClock = REAL_CLOCK,
): CalmAnnouncer {
  let lastAnnouncedMs = -Infinity;
  let lastProgressMs = -Infinity;
  let held: { text: string; isEvent: boolean } | null = null;
  let timer: unknown = null;

  const sayHeld = () => {
    timer = null;
    if (!held) return;
    lastAnnouncedMs = clock.now();
    if (!held.isEvent) lastProgressMs = lastAnnouncedMs;
    const { text } = held;
    held = null;
    announce(text);
  };
  const hold = (message: { text: string; isEvent: boolean }) => {
    if (held?.isEvent && !message.isEvent) return;
    held = message;
    const waitMs = lastAnnouncedMs + MIN_ANNOUNCEMENT_GAP_MS - clock.now();
    if (waitMs <= 0) {
      if (timer !== null) clock.clearTimeout(timer);
      sayHeld();
    } else if (timer === null) {
      timer = clock.setTimeout(sayHeld, waitMs);
    }
  };
  return {
    event: (text) => hold({ text, isEvent: true }),
    progress(text) {
      if (clock.now() - lastProgressMs < PROGRESS_ANNOUNCEMENT_INTERVAL_MS) return;
      hold({ text, isEvent: false });
    },
    cancel() {
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
      held = null;
    },
  };
}
