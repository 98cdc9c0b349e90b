/**
 * Training speed of the built app with its tab in front vs in the background: seed CNN, WASM
 * in the worker, the 2,000-row subsets, the same seed, alternating which goes first.
 *
 * The hidden runs are really hidden: Chromium is started as a person runs it (background
 * timers throttled), Playwright attaches without focus emulation, and another tab is brought
 * to the front just after Train (tests/support/background-tabs.mjs). Each run reads the app's
 * own samples/s figure (the engine's, over the run's training time) from the status line,
 * without showing the page, and the share of the training time the page's main thread spent in
 * tasks (CDP Performance.getMetrics: TaskDuration), which is time the worker's threads could
 * have had.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  launchChromiumWithBackgroundTabs,
  recordVisibilityChanges,
  sendToBackground,
} from '../tests/support/background-tabs.mjs';
import { openAppWithSubset } from './app-session.mjs';

/** Bounds one run; two epochs of the subset take well under a minute on a quiet machine. */
const RUN_TIMEOUT_MS = 20 * 60_000;
const POLL_INTERVAL_MS = 1000;

/** The status line and the page's visibility, read without bringing the page to the front. */
function readPage(page) {
  return page.evaluate(() => ({
    visibility: document.visibilityState,
    visibilityChanges: window.__visibilityChanges.map((c) => c.state),
    status: document.querySelector('.training-progress [role="status"]')?.textContent ?? '',
    hasTestAccuracy: /Test accuracy: \d/.test(document.querySelector('main')?.textContent ?? ''),
  }));
}

/** Seconds the page's main thread has spent in tasks so far (CDP Performance.getMetrics). */
async function mainThreadTaskS(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'TaskDuration').value;
}

/**
 * Polls until `isDone(reading)`; returns the reading and the main thread's task seconds then.
 * The poll's 1 s granularity is far below a run's length.
 */
async function waitFor(page, cdp, isDone, startedMs) {
  for (;;) {
    const reading = await readPage(page);
    if (isDone(reading)) return { reading, taskS: await mainThreadTaskS(cdp), atMs: Date.now() };
    if (Date.now() - startedMs > RUN_TIMEOUT_MS) throw new Error(`timed out: ${reading.status}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

async function runOnce(context, appUrl, files, visibility, epochs) {
  const page = await openAppWithSubset(context, appUrl, '?backend=wasm', files, {
    epochs,
    seed: 1,
    initScript: recordVisibilityChanges,
  });
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    const startedMs = Date.now();
    const startTaskS = await mainThreadTaskS(cdp);
    const bringBack = visibility === 'hidden' ? await sendToBackground(page) : null;
    // The epochs are done when the test-set evaluation starts (or has already finished).
    const trained = await waitFor(
      page,
      cdp,
      (r) => r.status.startsWith('Evaluating') || r.hasTestAccuracy,
      startedMs,
    );
    const { reading } = await waitFor(page, cdp, (r) => r.hasTestAccuracy, startedMs);
    const expected = visibility === 'hidden' ? ['hidden'] : [];
    if (reading.visibility !== visibility || reading.visibilityChanges.join() !== expected.join())
      throw new Error(
        `asked for a ${visibility} page, it was ${reading.visibility} ` +
          `(changes: ${reading.visibilityChanges.join(', ') || 'none'})`,
      );
    await bringBack?.();
    const backend = await page.getByTestId('backend-info').innerText();
    if (!backend.startsWith('Backend: WASM in a Web Worker'))
      throw new Error(`expected WASM in the worker, the app shows: ${backend}`);
    const trainingS = (trained.atMs - startedMs) / 1000;
    return {
      visibility,
      samplesPerSec: Number(/([\d.]+) samples\/s/.exec(reading.status)?.[1] ?? NaN),
      trainingS: Math.round(trainingS * 10) / 10,
      mainThreadBusyPercent: Math.round((1000 * (trained.taskS - startTaskS)) / trainingS) / 10,
    };
  } finally {
    await page.close();
  }
}

/** The middle value, or the mean of the two middle values, to 0.1. */
function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const value = Number.isInteger(mid)
    ? (sorted[mid - 1] + sorted[mid]) / 2
    : sorted[Math.floor(mid)];
  return Math.round(value * 10) / 10;
}

/**
 * `rounds` pairs of runs, visible/hidden then hidden/visible, … on the app at `appUrl`;
 * `files` are the two 2,000-row CSVs. Prints the table and writes `outDir`/background.json.
 */
export async function benchBackgroundTab({ appUrl, files, outDir, rounds, epochs = 2 }) {
  const chromium = await launchChromiumWithBackgroundTabs();
  const runs = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 === 1 ? ['visible', 'hidden'] : ['hidden', 'visible'];
      for (const visibility of order) {
        const run = await runOnce(chromium.context, appUrl, files, visibility, epochs);
        runs.push({ round, ...run });
      }
    }
  } finally {
    await chromium.close();
  }
  const ofRound = (round, visibility) =>
    runs.find((r) => r.round === round && r.visibility === visibility).samplesPerSec;
  const rows = runs.map((r) => ({
    round: r.round,
    page: r.visibility,
    'samples/s': r.samplesPerSec,
    'Train → epochs done s': r.trainingS,
    'main thread busy %': r.mainThreadBusyPercent,
    'hidden / visible (round)':
      r.visibility === 'hidden'
        ? Number((ofRound(r.round, 'hidden') / ofRound(r.round, 'visible')).toFixed(3))
        : '',
  }));
  const visible = median(
    runs.filter((r) => r.visibility === 'visible').map((r) => r.samplesPerSec),
  );
  const hidden = median(runs.filter((r) => r.visibility === 'hidden').map((r) => r.samplesPerSec));
  console.log(
    `\nBackground tab: built app, WASM in the worker, seed CNN, ${epochs} epoch(s) of 1,600 ` +
      `images (batch 64), seed 1; hidden = another tab in front from Train on:`,
  );
  console.table(rows);
  const busy = (visibility) =>
    median(runs.filter((r) => r.visibility === visibility).map((r) => r.mainThreadBusyPercent));
  console.log(
    `median samples/s visible ${visible}, hidden ${hidden}: hidden / visible ` +
      `${(hidden / visible).toFixed(3)}; main thread busy ${busy('visible')} % visible, ` +
      `${busy('hidden')} % hidden`,
  );
  const result = { date: new Date().toISOString(), appUrl, epochs, rounds, runs, visible, hidden };
  writeFileSync(join(outDir, 'background.json'), JSON.stringify(result, null, 2));
  return result;
}
