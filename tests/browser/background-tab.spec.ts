/**
 * A person switches tabs during a run. The page goes really into the background (hidden, its
 * timers throttled as in a person's browser); training goes on in the worker and the page's
 * state keeps up, but the charts, which nobody sees, are not drawn; when the tab comes back
 * they show every epoch and batch, with no backlog of long main-thread tasks.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import {
  launchChromiumWithBackgroundTabs,
  recordTimerWakeUps,
  recordVisibilityChanges,
  sendToBackground,
  type ChromiumWithBackgroundTabs,
  type VisibilityChange,
} from '../support/background-tabs.mjs';
import { csvFixture } from '../support/fixtures';
import { expectCounts, setTrainingParams, uploadFiles } from './app-driver';

const baseUrl = inject('baseUrl');
const MINUTE_MS = 60_000;
/** A chain of timers this far apart shows the throttling: 10 wake-ups a second in front. */
const PROBE_TIMER_PERIOD_MS = 100;
const EPOCHS = 4;
/** 1,600 training images (the subset less its validation fifth) in batches of 64. */
const BATCHES_PER_EPOCH = 25;

let chromium: ChromiumWithBackgroundTabs;

beforeAll(async () => {
  chromium = await launchChromiumWithBackgroundTabs();
});
afterAll(async () => {
  await chromium?.close();
});

/** Records every main-thread task of 50 ms or more in `window.__longTasks` (ms). */
function recordLongTasks(): void {
  const tasks: number[] = [];
  (window as unknown as { __longTasks: number[] }).__longTasks = tasks;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) tasks.push(Math.round(entry.duration));
  }).observe({ type: 'longtask', buffered: true });
}

/** What the page shows and records, read with page.evaluate: nothing brings it to the front. */
interface PageReading {
  visibility: DocumentVisibilityState;
  visibilityChanges: VisibilityChange[];
  /** The page's performance.now(), the clock of the changes and wake-ups. */
  nowMs: number;
  timerWakeUpsMs: number[];
  status: string;
  epochRows: number;
  /** The text under the epoch loss chart ("3 epochs: training loss …"). */
  epochChartSummary: string;
  longTasksMs: number[];
}

function readPage(page: Page): Promise<PageReading> {
  return page.evaluate(() => {
    const w = window as unknown as {
      __longTasks: number[];
      __visibilityChanges: VisibilityChange[];
      __timerWakeUpsMs: number[];
    };
    return {
      visibility: document.visibilityState,
      visibilityChanges: [...w.__visibilityChanges],
      nowMs: performance.now(),
      timerWakeUpsMs: [...w.__timerWakeUpsMs],
      status: document.querySelector('.training-progress [role="status"]')?.textContent ?? '',
      epochRows: document.querySelectorAll('table[aria-label="Epoch history"] tbody tr').length,
      epochChartSummary:
        document.querySelector('figure[aria-label="Loss per epoch"] figcaption')?.textContent ?? '',
      longTasksMs: [...w.__longTasks],
    };
  });
}

const resetLongTasks = (page: Page) =>
  page.evaluate(() => {
    (window as unknown as { __longTasks: number[] }).__longTasks.length = 0;
  });

/** Batches done, from "Epoch 2 of 3 · Batch 5 of 25 · …"; 0 before the first. */
function batchesIn(status: string): number {
  const match = /Epoch (\d+) of \d+ · Batch (\d+) of (\d+)/.exec(status);
  return match ? (Number(match[1]) - 1) * Number(match[3]) + Number(match[2]) : 0;
}

const samplesPerSecIn = (status: string) => /([\d.]+) samples\/s/.exec(status)?.[1] ?? '?';

const waitForEpochRows = (page: Page, atLeast: number) =>
  expect
    .poll(async () => (await readPage(page)).epochRows, { timeout: 5 * MINUTE_MS })
    .toBeGreaterThanOrEqual(atLeast);

const EPOCH_CHART = 'Loss per epoch';
const BATCH_CHART = 'Training loss per batch';

/** A chart's pixels, as a PNG data URL ('' before the chart has a canvas). */
function chartPixels(page: Page, name: string): Promise<string> {
  return page.evaluate(
    (label) =>
      document
        .querySelector<HTMLCanvasElement>(`figure[aria-label="${label}"] canvas`)
        ?.toDataURL() ?? '',
    name,
  );
}

/** A chart's pixels once drawn: the same in two readings half a second apart. */
async function settledChartPixels(page: Page, name: string): Promise<string> {
  let previous = '';
  await expect
    .poll(
      async () => {
        const [last, current] = [previous, await chartPixels(page, name)];
        previous = current;
        return current !== '' && current === last;
      },
      { timeout: MINUTE_MS, interval: 500 },
    )
    .toBe(true);
  return previous;
}

/** The text under a chart: what it shows, in words. */
const chartSummary = (page: Page, name: string) =>
  page.getByRole('figure', { name }).locator('figcaption').innerText();

/** Opens the app, loads the subsets and starts a seeded run of EPOCHS epochs. */
async function startRun(page: Page): Promise<void> {
  await page.addInitScript(recordVisibilityChanges);
  await page.addInitScript(recordTimerWakeUps, PROBE_TIMER_PERIOD_MS);
  await page.addInitScript(recordLongTasks);
  await page.goto(`${baseUrl}?backend=wasm`);
  const files = csvFixture('subset');
  await uploadFiles(page, [files.trainCsv, files.testCsv]);
  await expectCounts(page, { train: '2,000', test: '2,000' });
  await setTrainingParams(page, { epochs: EPOCHS, batchSize: 64, seed: 7 });
  await page.getByRole('button', { name: 'Train', exact: true }).click();
}

/**
 * Sends the page to the background and waits there for two more epochs: the page must stay
 * hidden, its timers throttled, training must go on, and the charts, which nobody sees, are
 * not drawn. Returns the function that brings the page back and the batch chart's pixels.
 */
async function trainHidden(
  page: Page,
): Promise<{ bringBack: () => Promise<void>; batchChartHidden: string }> {
  const bringBack = await sendToBackground(page);
  const hidden = await readPage(page);
  expect(hidden.visibility).toBe('hidden');
  expect(hidden.visibilityChanges.map((c) => c.state)).toEqual(['hidden']);
  expect(hidden.epochRows).toBeLessThan(EPOCHS - 1);
  const batchChartHidden = await settledChartPixels(page, BATCH_CHART);

  await waitForEpochRows(page, hidden.epochRows + 2);
  const later = await readPage(page);
  expect(later.visibility).toBe('hidden');
  expect(later.visibilityChanges.map((c) => c.state)).toEqual(['hidden']);
  expect(batchesIn(later.status)).toBeGreaterThan(batchesIn(hidden.status));
  // The state behind the charts keeps up (the figure's text says so); their canvases wait.
  expect(later.epochChartSummary).toMatch(new RegExp(`^${later.epochRows} epochs: training loss`));
  const isBatchChartRedrawn = (await chartPixels(page, BATCH_CHART)) !== batchChartHidden;
  expect(isBatchChartRedrawn, 'the batch chart was drawn while hidden').toBe(false);
  // Throttled as a background tab: the probe's timer chain wakes ten times a second in
  // front, about once a second hidden.
  const hiddenAtMs = hidden.visibilityChanges[0].atMs;
  const hiddenS = (later.nowMs - hiddenAtMs) / 1000;
  const wakeUps = later.timerWakeUpsMs.filter((t) => t > hiddenAtMs).length;
  expect(wakeUps).toBeLessThan(2 * hiddenS);
  console.log(
    `[background-tab] hidden ${hiddenS.toFixed(1)} s (probe timer woke ${wakeUps} times): ` +
      `batch ${batchesIn(hidden.status)} → ${batchesIn(later.status)}, ` +
      `${samplesPerSecIn(hidden.status)} → ${samplesPerSecIn(later.status)} samples/s`,
  );
  return { bringBack, batchChartHidden };
}

describe('a run in a background tab', () => {
  test('trains on while hidden; the charts wait and catch up on return, no backlog', async () => {
    const page = await chromium.context.newPage();
    try {
      await startRun(page);
      // The first epoch in front: its point is on the epoch chart.
      await waitForEpochRows(page, 1);
      const epochChartBefore = await settledChartPixels(page, EPOCH_CHART);

      const { bringBack, batchChartHidden } = await trainHidden(page);

      await resetLongTasks(page);
      await bringBack();
      const back = await readPage(page);
      expect(back.visibility).toBe('visible');
      expect(back.visibilityChanges.map((c) => c.state)).toEqual(['hidden', 'visible']);
      // The epochs and batches trained in the background are drawn now.
      expect(back.epochChartSummary).toMatch(
        new RegExp(`^${back.epochRows} epochs: training loss`),
      );
      const isEpochChartRedrawn =
        (await settledChartPixels(page, EPOCH_CHART)) !== epochChartBefore;
      expect(isEpochChartRedrawn, 'the epoch chart shows the hidden epochs').toBe(true);
      await expect
        .poll(async () => (await chartPixels(page, BATCH_CHART)) !== batchChartHidden, {
          message: 'the batch chart shows the hidden batches',
        })
        .toBe(true);
      const caughtUp = await readPage(page);
      const catchUpMs = caughtUp.nowMs - back.nowMs;
      console.log(
        `[background-tab] back in front at ${back.epochRows} epochs; tasks ≥ 50 ms while ` +
          `catching up (${(catchUpMs / 1000).toFixed(1)} s): [${caughtUp.longTasksMs.join(', ')}]`,
      );
      // The return costs one redraw per chart, each a task of its own. With the worker's
      // threads on both cores and other jobs on the machine, the browser's repaint of the page
      // and these redraws are sometimes stretched past 50 ms (as in training.spec), so this
      // checks the kind of catch-up whatever the load: no backlog of redraws (long tasks take
      // under a quarter of the time) and no redraw of everything in one go.
      const longTasksTotalMs = caughtUp.longTasksMs.reduce((sum, ms) => sum + ms, 0);
      expect(longTasksTotalMs).toBeLessThan(0.25 * catchUpMs);
      expect(Math.max(0, ...caughtUp.longTasksMs)).toBeLessThan(250);

      // The run ends in front with every epoch and batch on the charts.
      await page.getByText(/^Test accuracy: /).waitFor({ timeout: 5 * MINUTE_MS });
      await page
        .getByRole('figure', { name: /Confusion matrix/ })
        .locator('canvas, svg')
        .first()
        .waitFor();
      expect(await chartSummary(page, EPOCH_CHART)).toMatch(
        new RegExp(`^${EPOCHS} epochs: training loss`),
      );
      expect(await chartSummary(page, BATCH_CHART)).toMatch(
        new RegExp(`^${EPOCHS * BATCHES_PER_EPOCH} points \\(batch\\)`),
      );
      const end = await readPage(page);
      expect(end.epochRows).toBe(EPOCHS);
      // Only reported: the results phase is training.spec's business.
      console.log(`[background-tab] tasks ≥ 50 ms to the results: [${end.longTasksMs.join(', ')}]`);
    } finally {
      await page.close();
    }
  });
});
