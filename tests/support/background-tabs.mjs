/**
 * A Chromium whose tabs go to the background as a person's do, for the background-tab test and
 * benchmark. Plain JavaScript so that bench/ (plain Node) and the TypeScript tests share it.
 *
 * Pages Playwright opens stay visible whatever happens: it launches Chromium with background
 * throttling off (--disable-background-timer-throttling, --disable-renderer-backgrounding,
 * --disable-backgrounding-occluded-windows) and turns on focus emulation in every page of a
 * context it creates (Emulation.setFocusEmulationEnabled, which also keeps the page's
 * visibility at 'visible'; switching it off from a second CDP session does not undo it).
 * So here Chromium is started the way a person runs it, with none of those switches and a
 * DevTools port, and Playwright attaches with `noDefaults`: pages of the default context get
 * no focus emulation. A page goes to the background when another tab comes to the front
 * (`document.visibilityState` 'hidden', a `visibilitychange` event, timers throttled to one
 * wake-up a second) and back with `page.bringToFront()`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium-options.mjs';

/** Chromium prints its DevTools address on stderr within a second or two; this bounds a hang. */
const DEVTOOLS_ADDRESS_TIMEOUT_MS = 60_000;

/** Resolves to the `ws://…` address Chromium prints on stderr ("DevTools listening on …"). */
function devToolsAddress(child) {
  return new Promise((resolve, reject) => {
    let printed = '';
    const timer = setTimeout(() => {
      reject(new Error(`Chromium printed no DevTools address in time:\n${printed}`));
    }, DEVTOOLS_ADDRESS_TIMEOUT_MS);
    child.stderr.on('data', (chunk) => {
      printed += chunk;
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(printed);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited (${code}) before listening:\n${printed}`));
    });
  });
}

/**
 * Starts headless Chromium with background tabs throttled as in a person's browser and
 * attaches Playwright to it. Returns the default context (open pages there) and `close`,
 * which ends Chromium and removes its profile.
 */
export async function launchChromiumWithBackgroundTabs() {
  const profileDir = mkdtempSync(join(tmpdir(), 'background-tabs-'));
  const child = spawn(
    CHROMIUM_PATH,
    [
      ...CHROMIUM_ARGS,
      '--headless',
      '--remote-debugging-port=0',
      `--user-data-dir=${profileDir}`,
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
    await exited;
    try {
      rmSync(profileDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch (error) {
      console.warn(`Chromium's profile ${profileDir} stays: ${error.message}`);
    }
  };
  try {
    const address = await devToolsAddress(child);
    const browser = await chromium.connectOverCDP(address, { noDefaults: true });
    return {
      browser,
      context: browser.contexts()[0],
      close: async () => {
        // Browser.close shuts Chromium down with its helper processes; a kill may leave
        // them writing to the profile.
        const session = await browser.newBrowserCDPSession();
        await session.send('Browser.close').catch(() => {});
        await browser.close();
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Puts `page` in the background by opening another tab in front of it, as a person switching
 * tabs does. Returns a function that brings `page` back to the front. The other tab stays open,
 * as a person's does (closing it at that moment would add its shutdown to the page's return);
 * it closes with `page`.
 */
export async function sendToBackground(page) {
  const cover = await page.context().newPage();
  page.once('close', () => void cover.close());
  await cover.bringToFront();
  return () => page.bringToFront();
}

/**
 * Records the page's visibility changes in `window.__visibilityChanges` ({ state, atMs });
 * install with page.addInitScript before the page loads.
 */
export function recordVisibilityChanges() {
  const changes = [];
  window.__visibilityChanges = changes;
  document.addEventListener('visibilitychange', () => {
    changes.push({ state: document.visibilityState, atMs: performance.now() });
  });
}

/**
 * Keeps a chain of `periodMs` timers running and records when each fires in
 * `window.__timerWakeUpsMs`: every period in front, at most once a second in the background.
 * Shows that a hidden page is throttled as a person's background tab is. Install with page.addInitScript(recordTimerWakeUps, periodMs).
 */
export function recordTimerWakeUps(periodMs) {
  const wakeUpsMs = [];
  window.__timerWakeUpsMs = wakeUpsMs;
  const tick = () => {
    wakeUpsMs.push(performance.now());
    setTimeout(tick, periodMs);
  };
  setTimeout(tick, periodMs);
}
