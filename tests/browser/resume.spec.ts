/**
 * Checkpoints and resume in real Chromium on the production build: the data is kept in
 * IndexedDB, a reload after epoch 1 of 3 brings it back without a new upload, and "Resume
 * training from epoch 1" finishes the run with one continuous three-epoch history.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { csvFixture } from '../support/fixtures';
import { expectCounts, setTrainingParams, uploadFiles, waitForTestAccuracy } from './app-driver';
import { launchChromium, openApp } from './chromium';

const baseUrl = inject('baseUrl');
const MINUTE_MS = 60_000;
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** The "Epoch history" table's rows as cell texts. */
async function epochRows(page: Page): Promise<string[][]> {
  const rows = page.getByRole('table', { name: 'Epoch history' }).locator('tbody tr');
  const result: string[][] = [];
  for (const row of await rows.all()) result.push(await row.locator('td').allInnerTexts());
  return result;
}

test(
  'reload after epoch 1 of 3 → data back → Resume training from epoch 1 → 3 epochs',
  async () => {
    const app = await openApp(browser, baseUrl, '?backend=wasm');
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
      await setTrainingParams(page, { epochs: 3, batchSize: 64, seed: 5 });
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
      const beforeReload = await epochRows(page);
      expect(beforeReload).toHaveLength(1);

      // The tab goes away mid-run (its worker with it) and comes back.
      await page.reload();
      await expectCounts(page, { train: '2,000', test: '2,000' });
      expect(await page.getByTestId('train-summary').innerText()).toMatch(
        /from fashion-mnist_train\.csv · restored from this browser/,
      );
      const unfinished = page.getByRole('group', { name: 'Unfinished run' });
      await expect
        .poll(() => unfinished.innerText(), { timeout: MINUTE_MS })
        .toMatch(/1 · Conv64 → Pool4, 1 of 3 epochs done/);
      const resume = unfinished.getByRole('button', { name: 'Resume training from epoch 1' });
      // Enabled once the restored data's fingerprint matches the run's.
      await expect.poll(() => resume.isEnabled(), { timeout: MINUTE_MS }).toBe(true);
      await resume.click();

      await waitForTestAccuracy(page, 5 * MINUTE_MS);
      const rows = await epochRows(page);
      expect(rows.map((r) => r[0])).toEqual(['1 (checkpoint)', '2', '3']);
      // Epoch 1 is the run's own epoch 1 from before the reload, not a re-run.
      expect(rows[0].slice(1)).toEqual(beforeReload[0].slice(1));
      const runs = page.getByRole('table', { name: 'Runs' }).locator('tbody tr');
      expect(await runs.count()).toBe(1);
      const runCells = await runs.first().locator('td').allInnerTexts();
      expect(runCells[2]).toBe('3');

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
