/**
 * A run cut short from outside, in Chromium on the production build: the GPU's WebGL context
 * lost mid-run (WEBGL_lose_context on SwiftShader, as a driver reset would), and the training
 * worker ending without a word (it closes itself, as an out-of-memory kill or terminate()
 * would: no error event reaches the page). Each time the page says what happened, the
 * checkpoint stays intact and "Resume training from epoch k" finishes the run.
 */
import type { Page, Worker } from 'playwright-core';
import { expect, inject, test } from 'vitest';
import { csvFixture } from '../support/fixtures';
import {
  expectCounts,
  panel,
  setTrainingParams,
  trainingStatus,
  uploadFiles,
  waitForTestAccuracy,
} from './app-driver';
import { chromiumForFile, openApp } from './chromium';

const baseUrl = inject('baseUrl');
const MINUTE_MS = 60_000;
/** Enough epochs that the run is still going when the test pauses it after a checkpoint. */
const EPOCHS = 5;
const browser = chromiumForFile();

/** The epoch table's first column ("1 (checkpoint)", "2" …). */
async function epochLabels(page: Page): Promise<string[]> {
  const rows = page.getByRole('table', { name: 'Epoch history' }).locator('tbody tr');
  return rows.locator('td:first-child').allInnerTexts();
}

/**
 * Starts a small conv1 run and holds it, paused, once a checkpoint is kept; returns the run's
 * worker and the epoch of that checkpoint (1 or more, whatever the machine's speed).
 */
async function trainUntilCheckpoint(page: Page): Promise<{ worker: Worker; kept: number }> {
  const files = csvFixture('small');
  await uploadFiles(page, [files.trainCsv, files.testCsv]);
  await expectCounts(page, { train: '100', test: '100' });
  await page.getByLabel('Architecture').selectOption('conv1');
  await setTrainingParams(page, { epochs: EPOCHS, batchSize: 40, seed: 3 });
  const workerStarted = page.waitForEvent('worker', {
    predicate: (w) => w.url().includes('training.worker'),
    timeout: MINUTE_MS,
  });
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const worker = await workerStarted;
  await page
    .getByRole('status', { name: 'Checkpoint' })
    .filter({ hasText: /Checkpoint after epoch \d+ kept in this browser/ })
    .waitFor({ timeout: 10 * MINUTE_MS });
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect.poll(() => trainingStatus(page), { timeout: 5 * MINUTE_MS }).toMatch(/^Paused/);
  const status = await page.getByRole('status', { name: 'Checkpoint' }).innerText();
  const kept = Number(/Checkpoint after epoch (\d+) kept/.exec(status)?.[1]);
  expect(kept).toBeGreaterThanOrEqual(1);
  expect(kept).toBeLessThan(EPOCHS);
  return { worker, kept };
}

/** After the failure: the alert, then the resume offer; resuming finishes all epochs. */
async function expectResumeFinishes(page: Page, kept: number, alertText: RegExp): Promise<void> {
  const training = panel(page, 'Training');
  const alert = training.getByRole('alert').filter({ hasText: 'Training failed' });
  await expect.poll(() => alert.innerText(), { timeout: 5 * MINUTE_MS }).toMatch(alertText);
  const resume = training
    .getByRole('group', { name: 'Unfinished run' })
    .getByRole('button', { name: `Resume training from epoch ${kept}` });
  await expect.poll(() => resume.isEnabled(), { timeout: MINUTE_MS }).toBe(true);
  const labelsBefore = await epochLabels(page);
  expect(labelsBefore.length).toBeGreaterThanOrEqual(1);
  await resume.click();
  await waitForTestAccuracy(page, 10 * MINUTE_MS);
  expect(await epochLabels(page)).toEqual(
    Array.from({ length: EPOCHS }, (_, e) => `${e + 1}${e < kept ? ' (checkpoint)' : ''}`),
  );
}

test(
  'the GPU context is lost mid-run: stopped cleanly, said so, resumed on a fresh WebGL context',
  async () => {
    const app = await openApp(browser(), baseUrl, '?backend=webgl&softwareWebgl=1');
    const { page } = app;
    try {
      const { worker, kept } = await trainUntilCheckpoint(page);
      expect(await page.getByText(/WEBGL in a Web Worker/).count()).toBeGreaterThan(0);
      const lost = await worker.evaluate(() =>
        (self as unknown as { loseWebglContext: () => boolean }).loseWebglContext(),
      );
      expect(lost).toBe(true);
      await expectResumeFinishes(
        page,
        kept,
        new RegExp(
          `^Training failed: The GPU's WebGL context was lost during epoch ${kept + 1} \\(a driver reset, a GPU process crash, or the browser reclaiming GPU memory\\)\\. The run was stopped\\. Nothing computed after that was kept; the checkpoint after epoch ${kept} is intact`,
        ),
      );
      // The resumed run got a new worker and a new context, on WebGL again.
      const runs = page.getByRole('table', { name: 'Runs' }).locator('tbody tr');
      expect(await runs.last().innerText()).toMatch(/\bwebgl\b/);
      expect(app.foreignRequests).toEqual([]);
    } finally {
      await app.context.close();
    }
  },
  30 * MINUTE_MS,
);

test(
  'the training worker ends without a word: noticed, said so, checkpoint intact, resumed',
  async () => {
    const app = await openApp(browser(), baseUrl, '?backend=wasm');
    const { page } = app;
    try {
      const { worker, kept } = await trainUntilCheckpoint(page);
      // Ends the worker from inside: like terminate() or an out-of-memory kill, the page's
      // Worker object gets no event at all.
      await worker.evaluate(() => self.close()).catch(() => undefined);
      await expectResumeFinishes(
        page,
        kept,
        new RegExp(
          `^Training failed: Training worker failed: it stopped without a word \\(the browser may have ended it for lack of memory, or it crashed\\)\\. The checkpoint after epoch ${kept} is intact`,
        ),
      );
      expect(app.foreignRequests).toEqual([]);
    } finally {
      await app.context.close();
    }
  },
  15 * MINUTE_MS,
);
