/**
 * Drives the app as a person would: by labels, roles and visible text. Journeys in later
 * specs (training, saving, resuming) reuse these steps.
 */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export interface UploadFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** The page's sections, by the words of their headings (numbering aside). */
export type PanelName = 'Data' | 'Training' | 'Keep the model' | 'Try it';

/**
 * One section of the page as a region. Alerts and statuses are looked up inside the section
 * they belong to: several sections can show an alert at the same time (a failed checkpoint
 * beside a failed save), and which one appears first depends on the machine's speed.
 */
export function panel(page: Page, name: PanelName): Locator {
  return page.getByRole('region', { name: new RegExp(`^(\\d+ · )?${name}$`) });
}

/** Chooses files in the `Dataset files` input (paths or in-memory files). */
export async function uploadFiles(page: Page, files: string[] | UploadFile[]): Promise<void> {
  await page.getByLabel('Dataset files').setInputFiles(files);
}

/** The counts on screen, e.g. { train: '60,000' }; a split that is not loaded is absent. */
export async function countsShown(page: Page): Promise<{ train?: string; test?: string }> {
  const text = await page.locator('main').innerText();
  const train = /Training set: ([\d,]+) images/.exec(text)?.[1];
  const test = /Test set: ([\d,]+) images/.exec(text)?.[1];
  return { ...(train ? { train } : {}), ...(test ? { test } : {}) };
}

/** Waits until the given counts are shown (others may be shown too). */
export async function expectCounts(
  page: Page,
  expected: { train?: string; test?: string },
  timeoutMs = 30_000,
): Promise<void> {
  await expect
    .poll(
      async () => {
        const shown = await countsShown(page);
        return Object.fromEntries(
          Object.keys(expected).map((k) => [k, shown[k as 'train' | 'test']]),
        );
      },
      { timeout: timeoutMs, interval: 100 },
    )
    .toEqual(expected);
}

/** Sets the training form's number inputs by their labels. */
export async function setTrainingParams(
  page: Page,
  params: { epochs?: number; batchSize?: number; learningRate?: number; seed?: number },
): Promise<void> {
  if (params.epochs !== undefined)
    await page.getByLabel('Epochs', { exact: true }).fill(String(params.epochs));
  if (params.batchSize !== undefined)
    await page.getByLabel('Batch size', { exact: true }).fill(String(params.batchSize));
  if (params.learningRate !== undefined)
    await page.getByLabel('Learning rate', { exact: true }).fill(String(params.learningRate));
  if (params.seed !== undefined)
    await page.getByLabel('Seed', { exact: true }).fill(String(params.seed));
}

/** The text of the live training status line. */
export async function trainingStatus(page: Page): Promise<string> {
  return page.locator('.training-progress [role="status"]').innerText();
}

/** "Epoch 2 of 3 · Batch 5 of 25" → 2 × 25 + 5 = batches done, or 0 before the first. */
export async function batchesDone(page: Page): Promise<number> {
  const match = /Epoch (\d+) of \d+ · Batch (\d+) of ([\d,]+)/.exec(await trainingStatus(page));
  if (!match) return 0;
  const perEpoch = Number(match[3].replace(/,/g, ''));
  return (Number(match[1]) - 1) * perEpoch + Number(match[2]);
}

/** Waits for `Test accuracy: 12.34%` and returns it as a fraction. */
export async function waitForTestAccuracy(page: Page, timeoutMs: number): Promise<number> {
  const locator = page.getByText(/^Test accuracy: \d+\.\d\d%$/);
  await locator.waitFor({ timeout: timeoutMs });
  const text = await locator.innerText();
  return Number(/([\d.]+)%/.exec(text)![1]) / 100;
}

/** A file the page handed to the browser's downloads, saved on disk. */
export interface DownloadedFile {
  /** The name the page suggested (`seed-cnn.weights.bin`). */
  name: string;
  path: string;
}

/**
 * Saves every download of `page` into a numbered folder of `dir` under its suggested name, so
 * a file downloaded twice is kept twice. `take(n)` waits for the next n downloads to be
 * completely on disk.
 */
export function collectDownloads(
  page: Page,
  dir: string,
): { take: (count: number, timeoutMs?: number) => Promise<DownloadedFile[]> } {
  const saved: DownloadedFile[] = [];
  let started = 0;
  let taken = 0;
  page.on('download', (download) => {
    const name = download.suggestedFilename();
    const path = `${dir}/${++started}/${name}`;
    void download.saveAs(path).then(() => saved.push({ name, path }));
  });
  return {
    async take(count, timeoutMs = 60_000) {
      await expect
        .poll(() => saved.length, { timeout: timeoutMs, interval: 100 })
        .toBeGreaterThanOrEqual(taken + count);
      const files = saved.slice(taken, taken + count);
      taken += count;
      return files;
    },
  };
}

/** Trains the seeded model with the given settings and waits for its test accuracy. */
export async function trainAndWait(
  page: Page,
  params: { architecture?: string; epochs: number; batchSize: number; seed: number },
  timeoutMs: number,
): Promise<number> {
  if (params.architecture) {
    await page.getByLabel('Architecture', { exact: true }).selectOption(params.architecture);
  }
  await setTrainingParams(page, params);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  return waitForTestAccuracy(page, timeoutMs);
}
