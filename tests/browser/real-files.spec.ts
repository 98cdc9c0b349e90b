/**
 * The files people actually have, in Chromium against the production build: Kaggle's
 * archive.zip (built here from the real rows and IDX files, never committed), a gzipped CSV, a
 * dropped folder and a chosen one, and file names that look like markup.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { csvFixture, idxFile, realCsvText } from '../support/fixtures';
import { launchChromium, openApp, type WatchedPage } from './chromium';
import {
  expectCounts,
  panel,
  setTrainingParams,
  uploadFiles,
  waitForTestAccuracy,
} from './app-driver';

const baseUrl = inject('baseUrl');
let browser: Browser;
let workDir: string;

beforeAll(async () => {
  browser = await launchChromium();
  workDir = mkdtempSync(join(tmpdir(), 'fmnist-real-files-'));
});
afterAll(async () => {
  await browser?.close();
  rmSync(workDir, { recursive: true, force: true });
});

async function withApp(run: (app: WatchedPage) => Promise<void>): Promise<void> {
  const app = await openApp(browser, baseUrl);
  try {
    await run(app);
    expect(app.foreignRequests).toEqual([]);
  } finally {
    await app.context.close();
  }
}

const rawIdx = (name: Parameters<typeof idxFile>[0]) => gunzipSync(readFileSync(idxFile(name)));

/**
 * Kaggle's archive.zip layout: both CSVs (2,000-row subsets) and the four raw IDX files,
 * written once into the test's temporary folder; returns its path.
 */
function kaggleArchivePath(): string {
  const path = join(workDir, 'archive.zip');
  if (existsSync(path)) return path;
  const subset = csvFixture('subset');
  const zip = zipSync(
    {
      'fashion-mnist_test.csv': readFileSync(subset.testCsv),
      'fashion-mnist_train.csv': readFileSync(subset.trainCsv),
      't10k-images-idx3-ubyte': rawIdx('t10k-images-idx3-ubyte.gz'),
      't10k-labels-idx1-ubyte': rawIdx('t10k-labels-idx1-ubyte.gz'),
      'train-images-idx3-ubyte': rawIdx('train-images-idx3-ubyte.gz'),
      'train-labels-idx1-ubyte': rawIdx('train-labels-idx1-ubyte.gz'),
    },
    { level: 1 },
  );
  writeFileSync(path, zip);
  return path;
}

const dataText = (page: Page) => panel(page, 'Data').innerText();

describe("Kaggle's archive", () => {
  test('archive.zip dropped as it is loads both splits from its CSVs and says so', async () => {
    const archive = kaggleArchivePath();
    await withApp(async ({ page, consoleErrors }) => {
      await uploadFiles(page, [archive]);
      await expectCounts(page, { train: '2,000', test: '2,000' }, 60_000);
      const text = await dataText(page);
      expect(text).toContain('from archive.zip/fashion-mnist_train.csv');
      expect(text).toContain(
        'In archive.zip: Training set: used fashion-mnist_train.csv; ignored train-images-idx3-ubyte and train-labels-idx1-ubyte (when a split comes both as CSV and as IDX files, the CSV is used).',
      );
      expect(consoleErrors).toEqual([]);
    });
  });

  test('archive.zip with a loose training CSV: the CSV is the training set, the archive gives the test set, and the page says why', async () => {
    const archive = kaggleArchivePath();
    mkdirSync(join(workDir, 'loose'), { recursive: true });
    const looseCsv = join(workDir, 'loose', 'fashion-mnist_train.csv');
    writeFileSync(looseCsv, realCsvText(100));
    await withApp(async ({ page, consoleErrors }) => {
      await uploadFiles(page, [archive, looseCsv]);
      await expectCounts(page, { train: '100', test: '2,000' }, 60_000);
      const text = await dataText(page);
      expect(text).toContain('from fashion-mnist_train.csv');
      expect(text).toContain('from archive.zip/fashion-mnist_test.csv');
      expect(text).toContain(
        "Training set: used fashion-mnist_train.csv; ignored archive.zip's fashion-mnist_train.csv, train-images-idx3-ubyte and train-labels-idx1-ubyte (files given on their own are used over an archive's files for the same split).",
      );
      expect(text).not.toContain('In archive.zip: Training set');
      // Every read of the drop has ended, and none replaced the loose CSV's 100 rows (the
      // archive's own training CSV, read too, would have: the last read to end won).
      await expect
        .poll(
          () =>
            panel(page, 'Data')
              .getByText(/^Reading /)
              .count(),
          { timeout: 60_000 },
        )
        .toBe(0);
      await expectCounts(page, { train: '100', test: '2,000' });
      expect(consoleErrors).toEqual([]);
    });
  });

  test('a damaged archive is named in the alert and the data loaded before stays', async () => {
    const archive = readFileSync(kaggleArchivePath());
    const damaged = join(workDir, 'damaged', 'archive.zip');
    mkdirSync(join(workDir, 'damaged'), { recursive: true });
    writeFileSync(damaged, archive.subarray(0, archive.length - 4096));
    const small = csvFixture('small');
    await withApp(async ({ page }) => {
      await uploadFiles(page, [small.trainCsv]);
      await expectCounts(page, { train: '100' });
      await uploadFiles(page, [damaged]);
      const alert = panel(page, 'Data').getByRole('alert');
      await expect.poll(() => alert.innerText(), { timeout: 30_000 }).toContain('archive.zip');
      expect(await alert.innerText()).toBe(
        'archive.zip: expected a ZIP archive (its directory of files at the end of the file), found a damaged or truncated ZIP file (its directory is missing).',
      );
      await expectCounts(page, { train: '100' });
    });
  });

  test('a gzipped CSV loads like the CSV', async () => {
    await withApp(async ({ page }) => {
      await uploadFiles(page, [
        {
          name: 'fashion-mnist_test.csv.gz',
          mimeType: 'application/gzip',
          buffer: gzipSync(Buffer.from(realCsvText(100, 'test'))),
        },
      ]);
      await expectCounts(page, { test: '100' });
      expect(await dataText(page)).toContain('from fashion-mnist_test.csv.gz');
    });
  });
});

describe('folders', () => {
  test('a dropped folder (DataTransferItem entries) loads its dataset files', async () => {
    await withApp(async ({ page }) => {
      const files = {
        train: realCsvText(100),
        test: realCsvText(50, 'test'),
      };
      // Chromium cannot be made to drag a real folder headless: the drop carries the same
      // entry objects (webkitGetAsEntry, createReader, readEntries in batches) a folder gives.
      await page.evaluate(({ train, test }) => {
        const fileEntry = (file: File) => ({
          isFile: true,
          isDirectory: false,
          name: file.name,
          file: (ok: (f: File) => void) => setTimeout(() => ok(file)),
        });
        const dirEntry = (name: string, children: unknown[]) => ({
          isFile: false,
          isDirectory: true,
          name,
          createReader: () => {
            const batches = [children.slice(0, 1), children.slice(1), []];
            return {
              readEntries: (ok: (b: unknown[]) => void) =>
                setTimeout(() => ok(batches.shift() ?? [])),
            };
          },
        });
        const folder = dirEntry('fashion', [
          fileEntry(new File([train], 'fashion-mnist_train.csv')),
          dirEntry('more', [
            fileEntry(new File([test], 'fashion-mnist_test.csv')),
            fileEntry(new File(['# notes'], 'README.md')),
          ]),
        ]);
        const event = new DragEvent('drop', { bubbles: true, cancelable: true });
        Object.defineProperty(event, 'dataTransfer', {
          value: {
            items: [{ kind: 'file', webkitGetAsEntry: () => folder, getAsFile: () => null }],
            files: [],
          },
        });
        document.querySelector('[data-testid="drop-zone"]')!.dispatchEvent(event);
      }, files);
      await expectCounts(page, { train: '100', test: '50' });
      expect(await dataText(page)).toContain(
        'Ignored one file of the folder that is not Fashion-MNIST data: README.md.',
      );
    });
  });

  test('"Dataset folder" takes a whole folder, subfolders included', async () => {
    const folder = join(workDir, 'fmnist');
    mkdirSync(join(folder, 'idx'), { recursive: true });
    writeFileSync(join(folder, 'fashion-mnist_train.csv'), realCsvText(100));
    writeFileSync(join(folder, 'notes.txt'), 'downloaded from Zalando');
    for (const name of ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'] as const) {
      writeFileSync(join(folder, 'idx', name), readFileSync(idxFile(name)));
    }
    await withApp(async ({ page }) => {
      await page.getByLabel('Dataset folder').setInputFiles(folder);
      await expectCounts(page, { train: '100', test: '10,000' });
      expect(await dataText(page)).toContain(
        'Ignored one file of the folder that is not Fashion-MNIST data: fmnist/notes.txt.',
      );
    });
  });
});

describe('names that look like markup', () => {
  test('a file named <img src=x onerror=alert(1)>.csv is shown as text, never run', async () => {
    await withApp(async ({ page }) => {
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      const name = '<img src=x onerror=alert(1)>.csv';
      await uploadFiles(page, [
        { name, mimeType: 'text/csv', buffer: Buffer.from('label,pixel1\n') },
      ]);
      await page.getByRole('button', { name: `Use ${name} as training set` }).click();
      const alert = panel(page, 'Data').getByRole('alert');
      await expect.poll(() => alert.innerText(), { timeout: 30_000 }).toContain(name);
      await page.getByLabel('Model files').setInputFiles([
        {
          name: '<img src=x onerror=alert(2)>.json',
          mimeType: 'application/json',
          buffer: Buffer.from('{'),
        },
      ]);
      const modelAlert = panel(page, 'Keep the model').getByRole('alert');
      await expect
        .poll(() => modelAlert.innerText())
        .toContain('<img src=x onerror=alert(2)>.json');
      expect(await page.locator('main img[src="x"]').count()).toBe(0);
      expect(dialogs).toEqual([]);
    });
  });

  test('a model saved as <img src=x onerror=alert(1)> is listed as text, here and after a reload', async () => {
    const name = '<img src=x onerror=alert(1)>';
    // WASM trains the short run faster than WebGL on the software renderer.
    const app = await openApp(browser, baseUrl, '?backend=wasm');
    const { page } = app;
    try {
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      const small = csvFixture('small');
      await uploadFiles(page, [small.trainCsv, small.testCsv]);
      await expectCounts(page, { train: '100', test: '100' });
      await setTrainingParams(page, { epochs: 1, batchSize: 16, seed: 3 });
      await page.getByRole('button', { name: 'Train', exact: true }).click();
      await waitForTestAccuracy(page, 10 * 60_000);
      await page.getByLabel('Model name').fill(name);
      await page.getByRole('button', { name: 'Save', exact: true }).click();

      /** The saved model's entry and the runs table, as a person sees them. */
      const expectShownAsText = async () => {
        const savedList = page.getByRole('list', { name: 'Saved models' });
        const item = savedList.getByRole('listitem', { name, exact: true });
        await item.waitFor({ timeout: 60_000 });
        expect(await item.innerText()).toContain(name);
        // The runs table names runs by architecture; the run is there and intact.
        const runs = page.getByRole('table', { name: 'Runs' });
        await runs.waitFor({ timeout: 60_000 });
        expect(await runs.getByRole('row').count()).toBe(2);
        expect(await runs.locator('img').count()).toBe(0);
        expect(await page.locator('main img[src="x"]').count()).toBe(0);
      };
      await expectShownAsText();
      await page.reload();
      await expectShownAsText();
      expect(dialogs).toEqual([]);
      expect(app.foreignRequests).toEqual([]);
    } finally {
      await app.context.close();
    }
  });
});
