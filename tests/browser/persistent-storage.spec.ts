/**
 * Storage that lasts, in Chromium on the production build: keeping the data and saving a model
 * each ask the browser to keep this site's storage (navigator.storage.persist, wrapped here by
 * an init script that counts the calls and declines, as Chromium does for a site that has not
 * been used much), and the models panel says what is used, what the site may use and what is
 * left.
 */
import type { Page } from 'playwright-core';
import { expect, inject, test } from 'vitest';
import { csvFixture } from '../support/fixtures';
import {
  expectCounts,
  panel,
  setTrainingParams,
  uploadFiles,
  waitForTestAccuracy,
} from './app-driver';
import { chromiumForFile } from './chromium';

const baseUrl = inject('baseUrl');
const MINUTE_MS = 60_000;
const browser = chromiumForFile();

const persistCalls = (page: Page): Promise<number> =>
  page.evaluate(() => (window as unknown as { __persistCalls: number }).__persistCalls);

/** formatBytes' text back to bytes: "61.2 MB" → 61,200,000. */
function bytesOf(text: string): number {
  const [value, unit] = text.split(' ');
  const scale: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 };
  return Number(value) * scale[unit];
}

test(
  'Keep and Save each ask for persistent storage; the storage line says used, quota and what is left',
  async () => {
    const context = await browser().newContext();
    try {
      await context.addInitScript(() => {
        const counter = window as unknown as { __persistCalls: number };
        counter.__persistCalls = 0;
        // A browser that declines: persisted() stays false, so every request reaches persist().
        navigator.storage.persist = () => {
          counter.__persistCalls += 1;
          return Promise.resolve(false);
        };
      });
      const page = await context.newPage();
      await page.goto(`${baseUrl}?backend=wasm`);
      const keepBox = page.getByLabel(/Keep the loaded data in this browser/);
      await keepBox.uncheck();
      const files = csvFixture('small');
      await uploadFiles(page, [files.trainCsv, files.testCsv]);
      await expectCounts(page, { train: '100', test: '100' });
      expect(await persistCalls(page)).toBe(0);

      // Keep: each split is stored, each store asks first.
      await keepBox.check();
      await page
        .getByText('Kept in this browser: training set (100 images) and test set (100 images).')
        .or(
          page.getByText(
            'Kept in this browser: test set (100 images) and training set (100 images).',
          ),
        )
        .waitFor({ timeout: MINUTE_MS });
      expect(await persistCalls(page)).toBe(2);

      // Save: one more request, before the model is written.
      await page.getByLabel('Architecture').selectOption('conv1');
      await setTrainingParams(page, { epochs: 1, batchSize: 40, seed: 3 });
      await page.getByRole('button', { name: 'Train', exact: true }).click();
      await waitForTestAccuracy(page, 5 * MINUTE_MS);
      await page.getByLabel('Model name').fill('kept for good?');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page
        .getByRole('list', { name: 'Saved models' })
        .getByRole('listitem', { name: 'kept for good?' })
        .waitFor({ timeout: MINUTE_MS });
      expect(await persistCalls(page)).toBe(3);

      const line = panel(page, 'Keep the model').getByRole('status', { name: 'Browser storage' });
      const text = await line.innerText();
      const size = '([\\d.]+ (?:B|kB|MB|GB))';
      const match = new RegExp(
        `^Browser storage: ${size} used of ${size} this site may use · ${size} left · the browser may clear it when space runs low\\.$`,
      ).exec(text);
      expect(match, text).not.toBeNull();
      const [used, quota, left] = match!.slice(1).map(bytesOf);
      // The kept data (2 × 100 images) and the saved model are in the usage.
      expect(used).toBeGreaterThan(100_000);
      // Each figure is rounded to 3–4 significant digits: left is quota − used within that.
      expect(Math.abs(left - (quota - used))).toBeLessThanOrEqual(0.006 * quota);
      expect(left).toBeLessThanOrEqual(quota);
    } finally {
      await context.close();
    }
  },
  15 * MINUTE_MS,
);
