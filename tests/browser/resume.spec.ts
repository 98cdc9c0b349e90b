/**
 * Checkpoints and resume in real Chromium on the production build: the data is kept in
 * IndexedDB, a reload mid-run brings it back without a new upload, and "Resume training from
 * epoch k" finishes the run with one continuous history.
 */
import type { Page } from 'playwright-core';
import { expect, inject, test } from 'vitest';
import { csvFixture } from '../support/fixtures';
import {
  expectCounts,
  setTrainingParams,
  trainingStatus,
  uploadFiles,
  waitForTestAccuracy,
} from './app-driver';
import { chromiumForFile, openApp } from './chromium';

const baseUrl = inject('baseUrl');
const MINUTE_MS = 60_000;
/** Enough epochs that the run is still going when the test pauses it after the first one. */
const EPOCHS = 6;
const browser = chromiumForFile();

/** The "Epoch history" table's rows as cell texts. */
async function epochRows(page: Page): Promise<string[][]> {
  const rows = page.getByRole('table', { name: 'Epoch history' }).locator('tbody tr');
  const result: string[][] = [];
  for (const row of await rows.all()) result.push(await row.locator('td').allInnerTexts());
  return result;
}

test(
  'reload mid-run → data back → Resume training from epoch k → all epochs',
  async () => {
    const app = await openApp(browser(), baseUrl, '?backend=wasm');
    const { page } = app;
    try {
      const files = csvFixture('subset');
      await uploadFiles(page, [files.trainCsv, files.testCsv]);
      await expectCounts(page, { train: '2,000', test: '2,000' });
      // Both splits are kept (in either order) before the run starts.
      await page
        .getByRole('status')
        .filter({
          hasText: /Kept in this browser: .*set \(2,000 images\) and .*set \(2,000 images\)/,
        })
        .waitFor({ timeout: MINUTE_MS });

      await page.getByLabel('Architecture').selectOption('conv1');
      await setTrainingParams(page, { epochs: EPOCHS, batchSize: 64, seed: 5 });
      await page.getByRole('button', { name: 'Train', exact: true }).click();
      // The page is cross-origin isolated (vite preview sends COOP/COEP), so WASM trains on one
      // thread per core in the worker: the threaded binary works in the minified build.
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      const backendLine = page.getByText(/WASM in a Web Worker · \d+ threads?, SIMD/);
      await backendLine.waitFor({ timeout: MINUTE_MS });
      expect(await backendLine.innerText()).toContain(cores > 1 ? `${cores} threads` : '1 thread');
      const checkpointStatus = page.getByRole('status', { name: 'Checkpoint' });
      await checkpointStatus
        .filter({ hasText: 'Checkpoint after epoch 1 kept in this browser' })
        .waitFor({ timeout: 5 * MINUTE_MS });
      // Hold the run at a batch boundary, so that the reload below meets a known checkpoint
      // whatever the machine's speed: epoch k is on screen and in storage, k + 1 has not ended.
      await page.getByRole('button', { name: 'Pause' }).click();
      await expect.poll(() => trainingStatus(page), { timeout: MINUTE_MS }).toMatch(/^Paused/);
      const beforeReload = await epochRows(page);
      const kept = beforeReload.length;
      expect(kept).toBeGreaterThanOrEqual(1);
      expect(kept).toBeLessThan(EPOCHS);
      expect(await checkpointStatus.innerText()).toContain(
        `Checkpoint after epoch ${kept} kept in this browser`,
      );

      // The tab goes away mid-run (its worker with it) and comes back.
      await page.reload();
      await expectCounts(page, { train: '2,000', test: '2,000' });
      expect(await page.getByTestId('train-summary').innerText()).toMatch(
        /from fashion-mnist_train\.csv · restored from this browser/,
      );
      const unfinished = page.getByRole('group', { name: 'Unfinished run' });
      await expect
        .poll(() => unfinished.innerText(), { timeout: MINUTE_MS })
        .toContain(`1 · Conv64 → Pool4, ${kept} of ${EPOCHS} epochs done`);
      const resume = unfinished.getByRole('button', {
        name: `Resume training from epoch ${kept}`,
      });
      // Enabled once the restored data's fingerprint matches the run's.
      await expect.poll(() => resume.isEnabled(), { timeout: MINUTE_MS }).toBe(true);
      await resume.click();

      await waitForTestAccuracy(page, 5 * MINUTE_MS);
      const rows = await epochRows(page);
      expect(rows.map((r) => r[0])).toEqual(
        Array.from({ length: EPOCHS }, (_, e) => `${e + 1}${e < kept ? ' (checkpoint)' : ''}`),
      );
      // The epochs before the reload are the run's own, not re-runs.
      expect(rows.slice(0, kept).map((r) => r.slice(1))).toEqual(
        beforeReload.map((r) => r.slice(1)),
      );
      const runsTable = page.getByRole('table', { name: 'Runs' });
      const runs = runsTable.locator('tbody tr');
      expect(await runs.count()).toBe(1);
      const headers = (await runsTable.locator('thead th').allInnerTexts()).map((h) => h.trim());
      const runCells = await runs.first().locator('td').allInnerTexts();
      expect(runCells[headers.indexOf('Epochs')]).toBe(String(EPOCHS));

      // A finished run is not offered again, not even after another reload.
      await expect.poll(() => unfinished.count(), { timeout: MINUTE_MS }).toBe(0);
      await page.reload();
      await expectCounts(page, { train: '2,000', test: '2,000' });
      await page.getByRole('button', { name: 'Train', exact: true }).waitFor();
      expect(await page.getByRole('group', { name: 'Unfinished run' }).count()).toBe(0);

      // Keeping the data off removes it: the next reload starts empty.
      await page.getByLabel(/Keep the loaded data in this browser/).uncheck();
      await page.getByText('The data is not kept: a reload needs the files again.').waitFor();
      await page.reload();
      await page.getByText('Training set: not loaded').waitFor();
      expect(await page.getByLabel(/Keep the loaded data in this browser/).isChecked()).toBe(false);

      expect(app.foreignRequests).toEqual([]);
    } finally {
      await app.context.close();
    }
  },
  15 * MINUTE_MS,
);
