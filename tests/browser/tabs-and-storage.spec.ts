/**
 * The tab is not alone, in Chromium on the production build: two tabs of the app in one
 * browser profile (one trains at a time, the other says so and takes over once the first
 * closes; a model saved in one is listed in the other), what browser storage holds, and a
 * reload in the middle of saving a model (nothing half-written is listed; what was saved
 * before stays loadable).
 */
import type { BrowserContext, Page } from 'playwright-core';
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

async function openTab(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${baseUrl}?backend=wasm`);
  return page;
}

async function loadSmallData(page: Page): Promise<void> {
  const files = csvFixture('small');
  await uploadFiles(page, [files.trainCsv, files.testCsv]);
  await expectCounts(page, { train: '100', test: '100' });
}

async function trainAndSave(page: Page, name: string): Promise<void> {
  await page.getByLabel('Architecture').selectOption('conv1');
  await setTrainingParams(page, { epochs: 1, batchSize: 40, seed: 2 });
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await waitForTestAccuracy(page, 5 * MINUTE_MS);
  await page.getByLabel('Model name').fill(name);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
}

const savedItem = (page: Page, name: string) =>
  page.getByRole('list', { name: 'Saved models' }).getByRole('listitem', { name });

test(
  'two tabs: a save shows in both, one trains at a time, the other takes over when it closes',
  async () => {
    const context = await browser().newContext();
    try {
      const [first, second] = [await openTab(context), await openTab(context)];
      await loadSmallData(first);
      await loadSmallData(second);
      await trainAndSave(first, 'saved in the first tab');
      await savedItem(first, 'saved in the first tab').waitFor({ timeout: MINUTE_MS });
      // The other tab's list follows without a reload.
      await savedItem(second, 'saved in the first tab').waitFor({ timeout: MINUTE_MS });
      // And what storage holds is said in the models panel.
      const usage = panel(second, 'Keep the model').getByRole('status', {
        name: 'Browser storage',
      });
      await expect
        .poll(() => usage.innerText(), { timeout: MINUTE_MS })
        .toMatch(/^Browser storage: [\d.]+ (kB|MB|GB) used of [\d.]+ (kB|MB|GB) this site may use/);

      // A long run in the first tab holds the training lock.
      await setTrainingParams(first, { epochs: 50 });
      await first.getByRole('button', { name: 'Train', exact: true }).click();
      await first.getByText(/Epoch \d+ of 50/).waitFor({ timeout: MINUTE_MS });
      await second.getByRole('button', { name: 'Train', exact: true }).click();
      const elsewhere = second.getByText(/^Another tab of Fashion-MNIST Studio is training/);
      await elsewhere.waitFor({ timeout: MINUTE_MS });
      expect(await second.getByRole('button', { name: 'Train', exact: true }).isDisabled()).toBe(
        true,
      );
      expect(await second.getByText(/Epoch \d+ of/).count()).toBe(0);

      // The first tab goes away mid-run: its lock with it, and the second tab may train.
      await first.close();
      await expect.poll(() => elsewhere.count(), { timeout: MINUTE_MS }).toBe(0);
      const train = second.getByRole('button', { name: 'Train', exact: true });
      await expect.poll(() => train.isEnabled(), { timeout: MINUTE_MS }).toBe(true);
      await train.click();
      await second.getByText(/Epoch \d+ of \d+/).waitFor({ timeout: MINUTE_MS });
      await second.getByRole('button', { name: 'Stop' }).click();
    } finally {
      await context.close();
    }
  },
  20 * MINUTE_MS,
);

test(
  'a reload in the middle of a save lists nothing half-written; the earlier model still loads',
  async () => {
    const context = await browser().newContext();
    try {
      const page = await openTab(context);
      await loadSmallData(page);
      await trainAndSave(page, 'saved before');
      await savedItem(page, 'saved before').waitFor({ timeout: MINUTE_MS });
      // Reloads at several moments after Save: some land before the write, some inside it
      // (weights written, metadata not yet), some after. Each time, every listed model is
      // whole and the earlier one loads.
      // Loads a saved model and waits for its own notice: the current model may have the same
      // name already, and a name typed before the load lands would be reset by it.
      const load = async (name: string) => {
        await savedItem(page, name).getByRole('button', { name: 'Load', exact: true }).click();
        await panel(page, 'Keep the model')
          .getByRole('status')
          .filter({ hasText: `Loaded "${name}" from this browser.` })
          .waitFor({ timeout: MINUTE_MS });
        await page.getByText(new RegExp(`^Current model: ${name}`)).waitFor();
      };
      for (const delayMs of [0, 5, 20, 60, 150]) {
        // The model saved before becomes current, and is saved again under a new name.
        await load('saved before');
        await page.getByLabel('Model name').fill(`interrupted after ${delayMs} ms`);
        await page.getByRole('button', { name: 'Save', exact: true }).click();
        await page.waitForTimeout(delayMs);
        await page.reload();
        await expectCounts(page, { train: '100', test: '100' });
        await savedItem(page, 'saved before').waitFor({ timeout: MINUTE_MS });
        const list = page.getByRole('list', { name: 'Saved models' });
        expect(await list.getByText(/unreadable/i).count()).toBe(0);
        // Every model listed, the interrupted one included when it made it, loads whole.
        const names = await list
          .getByRole('listitem')
          .evaluateAll((items) => items.map((item) => item.getAttribute('aria-label') ?? ''));
        expect(names).toContain('saved before');
        for (const name of names) await load(name);
      }
    } finally {
      await context.close();
    }
  },
  20 * MINUTE_MS,
);
