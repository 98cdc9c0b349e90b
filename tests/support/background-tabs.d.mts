/** Types of background-tabs.mjs (plain JavaScript so that bench/ can run it too). */
import type { Browser, BrowserContext, Page } from 'playwright-core';

export interface ChromiumWithBackgroundTabs {
  browser: Browser;
  /** The default context: its pages go to the background when another tab comes to the front. */
  context: BrowserContext;
  /** Disconnects Playwright, ends Chromium and removes its profile. */
  close: () => Promise<void>;
}

export declare function launchChromiumWithBackgroundTabs(): Promise<ChromiumWithBackgroundTabs>;

/** Opens a tab in front of `page` (closed with it); the function returned brings `page` back. */
export declare function sendToBackground(page: Page): Promise<() => Promise<void>>;

export interface VisibilityChange {
  state: DocumentVisibilityState;
  atMs: number;
}

/** An init script: records `visibilitychange` events in `window.__visibilityChanges`. */
export declare function recordVisibilityChanges(): void;

/** An init script: a chain of `periodMs` timers whose wake-ups go to `window.__timerWakeUpsMs`. */
export declare function recordTimerWakeUps(periodMs: number): void;
