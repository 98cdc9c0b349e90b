/**
 * Storage the browser took back: the kept data and an unfinished run's checkpoint are removed
 * from IndexedDB between visits (what Chromium does to a non-persistent site under disk
 * pressure; simulated with the DevTools protocol's Storage.clearDataForOrigin). The next visit
 * says plainly what is gone, and offers no resume that cannot work.
 */
import { expect, inject, test } from 'vitest';
import { csvFixture } from '../support/fixtures';
import { expectCounts, panel, setTrainingParams, trainingStatus, uploadFiles } from './app-driver';
import { chromiumForFile, openApp } from './chromium';

const baseUrl = inject('baseUrl');
const MINUTE_MS = 60_000;
const browser = chromiumForFile();

test(
  'evicted kept data and checkpoint are reported on the next visit, and no resume is offered',
  async () => {
    const app = await openApp(browser(), baseUrl, '?backend=wasm');
    const { page, context } = app;
    try {
      const files = csvFixture('subset');
      await uploadFiles(page, [files.trainCsv, files.testCsv]);
      await expectCounts(page, { train: '2,000', test: '2,000' });
      await page
        .getByRole('status')
        .filter({ hasText: /Kept in this browser: .*\(2,000 images\) and .*\(2,000 images\)/ })
        .waitFor({ timeout: MINUTE_MS });

      await page.getByLabel('Architecture').selectOption('conv1');
      await setTrainingParams(page, { epochs: 6, batchSize: 64, seed: 5 });
      await page.getByRole('button', { name: 'Train', exact: true }).click();
      await page
        .getByRole('status', { name: 'Checkpoint' })
        .filter({ hasText: 'Checkpoint after epoch 1 kept in this browser' })
        .waitFor({ timeout: 5 * MINUTE_MS });
      await page.getByRole('button', { name: 'Pause' }).click();
      await expect.poll(() => trainingStatus(page), { timeout: MINUTE_MS }).toMatch(/^Paused/);

      // The browser removes the site's IndexedDB (localStorage, a different store, stays).
      await page.close();
      const cdp = await context.newCDPSession(await context.newPage());
      await cdp.send('Storage.clearDataForOrigin', {
        origin: new URL(baseUrl).origin,
        storageTypes: 'indexeddb',
      });
      const next = context.pages()[0];
      await next.goto(`${baseUrl}?backend=wasm`);

      const dataAlert = panel(next, 'Data').getByRole('alert');
      await expect
        .poll(() => dataAlert.innerText(), { timeout: MINUTE_MS })
        .toMatch(
          /^The training set \(2,000 images\) and test set \(2,000 images\) kept in this browser on .+ is gone: the browser removed it .* Load the files again\.$/,
        );
      const trainingAlert = panel(next, 'Training').getByRole('alert');
      await expect
        .poll(() => trainingAlert.innerText(), { timeout: MINUTE_MS })
        .toMatch(
          /^The unfinished run \(\d of 6 epochs, checkpoint of .+\) can no longer be resumed: its checkpoint is gone from this browser/,
        );
      expect(await next.getByRole('group', { name: 'Unfinished run' }).count()).toBe(0);
      expect(await next.getByText('Training set: not loaded').count()).toBe(1);

      // Said once: the visit after that is a plain first visit.
      await next.reload();
      await next.getByText('Training set: not loaded').waitFor();
      await next.getByRole('button', { name: 'Train', exact: true }).waitFor();
      expect(await panel(next, 'Data').getByRole('alert').count()).toBe(0);
      expect(await panel(next, 'Training').getByRole('alert').count()).toBe(0);
      expect(app.foreignRequests).toEqual([]);
    } finally {
      await context.close();
    }
  },
  10 * MINUTE_MS,
);
