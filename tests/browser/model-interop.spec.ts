/**
 * Keeping the weights, the parts a person relies on without seeing them, in real Chromium on
 * the production build: the page's predictions are the ones TensorFlow.js in Node computes from
 * the downloaded files; a save that hits the storage quota says so and keeps earlier saves; with
 * IndexedDB gone the app still trains and says why saving is off.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { CLASS_NAMES, MAX_PIXEL_VALUE, NUM_CLASSES } from '../../src/config/dataset';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium-options.mjs';
import { csvFixture } from '../support/fixtures';
import {
  collectDownloads,
  expectCounts,
  panel,
  trainAndWait,
  uploadFiles,
  waitForTestAccuracy,
  type DownloadedFile,
} from './app-driver';
import { launchChromium, openApp } from './chromium';

const baseUrl = inject('baseUrl');
const MINUTE_MS = 60_000;
/** Page vs Node bound per probability (wasm and cpu kernels sum in other orders). */
const PROBABILITY_TOLERANCE = 1e-5;
/** Rows of the `small` fixture, all of which the comparison uses. */
const TEST_IMAGE_COUNT = 100;
/** The smallest run that still ends in a test accuracy: 1 epoch of 100 rows. */
const QUICK_RUN = { epochs: 1, batchSize: 16, seed: 3 };

let browser: Browser;

/** Prints how long each step took, so a slow run shows where the time went. */
function createStepTimer(): (step: string) => void {
  let last = performance.now();
  return (step) => {
    const now = performance.now();
    console.info(`${step}: ${((now - last) / 1000).toFixed(1)} s`);
    last = now;
  };
}

beforeAll(async () => {
  browser = await launchChromium();
  await tf.setBackend('cpu');
});
afterAll(async () => {
  await browser?.close();
});

async function loadSmallData(page: Page): Promise<void> {
  const files = csvFixture('small');
  await uploadFiles(page, [files.trainCsv, files.testCsv]);
  await expectCounts(page, { train: '100', test: '100' });
}

interface PredictionRow {
  index: number;
  label: number;
  predicted: number;
  /** [10], one per class in label order. */
  probabilities: number[];
}

/** The page's `Download test predictions` file, checked for its header and shape. */
function readPredictionsCsv(path: string): PredictionRow[] {
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  expect(lines[0]).toBe(
    ['index', 'label', 'predicted', ...CLASS_NAMES.map((name) => `p_${name}`)].join(','),
  );
  return lines.slice(1).map((line) => {
    const fields = line.split(',').map(Number);
    expect(fields).toHaveLength(3 + NUM_CLASSES);
    return {
      index: fields[0],
      label: fields[1],
      predicted: fields[2],
      probabilities: fields.slice(3),
    };
  });
}

/** The first `count` rows of a Kaggle-layout CSV: uint8 [count × 784] images and labels. */
function readTestCsv(path: string, count: number): { images: Uint8Array; labels: number[] } {
  const rows = readFileSync(path, 'utf8')
    .split('\n')
    .slice(1, count + 1);
  expect(rows).toHaveLength(count);
  const images = new Uint8Array(count * 784);
  const labels = rows.map((row, i) => {
    const [label, ...pixels] = row.split(',').map(Number);
    images.set(pixels, i * 784);
    return label;
  });
  return { images, labels };
}

/** The downloaded model.json + .weights.bin, loaded by tfjs in Node (cpu backend). */
async function loadDownloadedModel(files: DownloadedFile[]): Promise<tf.LayersModel> {
  const jsonFile = files.find(
    (f) => f.name.endsWith('.json') && !f.name.endsWith('.metadata.json'),
  );
  const weightsFile = files.find((f) => f.name.endsWith('.weights.bin'));
  const modelJson = JSON.parse(readFileSync(jsonFile!.path, 'utf8'));
  const weights = readFileSync(weightsFile!.path);
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest[0].weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
}

/** On a failure, the page's visible text says more than the assertion alone. */
async function logPageText(page: Page): Promise<void> {
  console.error(
    await page
      .locator('main')
      .innerText()
      .catch(() => ''),
  );
}

/** Largest |a − b| over all rows and classes. */
function maxDifference(a: number[][], b: number[][]): number {
  expect(a).toHaveLength(b.length);
  let max = 0;
  a.forEach((row, i) =>
    row.forEach((value, c) => {
      max = Math.max(max, Math.abs(value - b[i][c]));
    }),
  );
  return max;
}

test('page predictions = tfjs in Node on the downloaded files, and again after uploading them', async () => {
  const step = createStepTimer();
  const { page, context, foreignRequests } = await openApp(browser, baseUrl, '?backend=wasm');
  try {
    const downloads = collectDownloads(page, mkdtempSync(join(tmpdir(), 'fms-interop-')));
    await loadSmallData(page);
    await trainAndWait(page, QUICK_RUN, 5 * MINUTE_MS);
    step('load data and train');

    await page.getByLabel('Model name').fill('interop model');
    await page.getByRole('button', { name: 'Download', exact: true }).click();
    const modelFiles = await downloads.take(3);
    expect(modelFiles.map((f) => f.name).sort()).toEqual([
      'interop-model.json',
      'interop-model.metadata.json',
      'interop-model.weights.bin',
    ]);
    await page.getByRole('button', { name: 'Download test predictions', exact: true }).click();
    const [predictionsFile] = await downloads.take(1);
    expect(predictionsFile.name).toBe('interop-model.test-predictions.csv');
    const pageRows = readPredictionsCsv(predictionsFile.path);
    step('download model files and predictions');

    const test = readTestCsv(csvFixture('small').testCsv, TEST_IMAGE_COUNT);
    expect(pageRows.map((r) => r.index)).toEqual([...Array(TEST_IMAGE_COUNT).keys()]);
    expect(pageRows.map((r) => r.label)).toEqual(test.labels);
    for (const row of pageRows) {
      expect(row.predicted).toBe(row.probabilities.indexOf(Math.max(...row.probabilities)));
      expect(row.probabilities.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
    }
    // Not all one class, or the comparison would prove little.
    expect(new Set(pageRows.map((r) => r.predicted)).size).toBeGreaterThan(1);

    // The same images through the downloaded files in Node: /255, [n, 28, 28, 1], cpu kernels.
    const tensorsBefore = tf.memory().numTensors;
    const model = await loadDownloadedModel(modelFiles);
    expect(model.countParams()).toBe(484_302);
    const nodeProbabilities = tf.tidy(() => {
      const xs = tf
        .tensor4d(Float32Array.from(test.images), [TEST_IMAGE_COUNT, 28, 28, 1])
        .div(MAX_PIXEL_VALUE);
      return (model.predict(xs) as tf.Tensor2D).arraySync();
    });
    model.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const pageProbabilities = pageRows.map((r) => r.probabilities);
    const pageVsNode = maxDifference(pageProbabilities, nodeProbabilities);
    console.info(`max |page − Node| probability: ${pageVsNode.toExponential(2)}`);
    expect(pageVsNode).toBeLessThanOrEqual(PROBABILITY_TOLERANCE);
    step('predict in Node (cpu)');

    // The files go back into a fresh page and predict the same.
    await page.reload();
    await loadSmallData(page);
    await page.getByLabel('Model files').setInputFiles(modelFiles.map((f) => f.path));
    await waitForTestAccuracy(page, 3 * MINUTE_MS);
    expect(await page.getByText('Current model:').innerText()).toMatch(
      /interop model.*loaded from files/,
    );
    await page.getByRole('button', { name: 'Download test predictions', exact: true }).click();
    const [reloadedFile] = await downloads.take(1);
    const reloadedRows = readPredictionsCsv(reloadedFile.path);
    expect(reloadedRows.map((r) => r.label)).toEqual(test.labels);
    const reloadedVsFirst = maxDifference(
      reloadedRows.map((r) => r.probabilities),
      pageProbabilities,
    );
    console.info(`max |uploaded − trained| probability: ${reloadedVsFirst.toExponential(2)}`);
    expect(reloadedVsFirst).toBeLessThanOrEqual(PROBABILITY_TOLERANCE);
    expect(foreignRequests).toEqual([]);
    step('upload files back, predictions again');
  } catch (error) {
    await logPageText(page);
    throw error;
  } finally {
    await context.close();
  }
});

/**
 * Gives the app's origin a storage quota of `quotaBytes`, Chromium's own limit set through the
 * DevTools protocol. Chromium applies it only in a profile on disk (not in the in-memory
 * contexts `browser.newContext()` makes) and only before the origin's first write, so the test
 * sets it right after the page opens. The override lasts as long as the DevTools session, which
 * is left open until the context closes.
 */
async function limitStorageQuota(
  context: BrowserContext,
  page: Page,
  quotaBytes: number,
): Promise<void> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', {
    origin: new URL(baseUrl).origin,
    quotaSize: quotaBytes,
  });
}

/** Room for one seed CNN (1.94 MB of weights + JSON + metadata), not for two. */
const ONE_MODEL_QUOTA_BYTES = 3_000_000;

test('a save that exceeds the storage quota says so and keeps the earlier save', async () => {
  const step = createStepTimer();
  const profileDir = mkdtempSync(join(tmpdir(), 'fms-quota-profile-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    // The offline app's precache (the build, ~8 MB) counts against the same origin quota and
    // alone exceeds this one; the test is about saved models, so no service worker here.
    serviceWorkers: 'block',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  try {
    await page.goto(`${baseUrl}?backend=wasm`);
    await limitStorageQuota(context, page, ONE_MODEL_QUOTA_BYTES);
    await loadSmallData(page);
    const accuracy = await trainAndWait(page, QUICK_RUN, 5 * MINUTE_MS);
    step('load data and train');
    const savedList = page.getByRole('list', { name: 'Saved models' });

    await page.getByLabel('Model name').fill('kept model');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await savedList.getByRole('listitem', { name: 'kept model' }).waitFor();
    // Chromium counts a commit against the quota a moment later; until then a second model
    // would still fit.
    await expect
      .poll(() => page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0), {
        timeout: 30_000,
      })
      .toBeGreaterThan(ONE_MODEL_QUOTA_BYTES / 2);

    await page.getByLabel('Model name').fill('one too many');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const alert = panel(page, 'Keep the model').getByRole('alert');
    await expect.poll(() => alert.innerText(), { timeout: MINUTE_MS }).toMatch(/quota/i);
    const alertText = await alert.innerText();
    console.info(`quota alert: ${alertText}`);
    expect(alertText).toMatch(/not enough browser storage/i);
    // The run's own checkpoint (weights and Adam's two moments, ~6 MB) met the same quota
    // before the run ended: the training section says so, and that the run was not harmed.
    expect(await panel(page, 'Training').getByRole('alert').innerText()).toMatch(
      /^The checkpoint after epoch 1 could not be saved: Not enough browser storage.*The run itself is not affected\.$/s,
    );
    expect(await page.getByText(/^Saved "/).count()).toBe(0);
    expect(await savedList.getByRole('listitem').allInnerTexts()).toEqual([
      expect.stringMatching(/^kept model/),
    ]);
    step('save, then a save over quota');

    // The failed save left nothing behind, and the first one still loads.
    await page.reload();
    await loadSmallData(page);
    await savedList.getByRole('listitem', { name: 'kept model' }).waitFor();
    expect(await savedList.getByRole('listitem').count()).toBe(1);
    await savedList
      .getByRole('listitem', { name: 'kept model' })
      .getByRole('button', { name: 'Load', exact: true })
      .click();
    expect(await waitForTestAccuracy(page, 3 * MINUTE_MS)).toBe(accuracy);
    expect(await page.getByText('Current model:').innerText()).toMatch(
      /kept model.*loaded from this browser/,
    );
    step('reload and Load');
  } catch (error) {
    await logPageText(page);
    throw error;
  } finally {
    await context.close();
    rmSync(profileDir, { recursive: true, force: true });
  }
});

/**
 * Removes IndexedDB from the page and from every module worker it starts (a worker has its
 * own global scope, which an init script does not reach): each worker is started from a small
 * module that deletes `indexedDB` before importing the real worker script. Counts the workers
 * so the test can tell the training worker really ran without it.
 */
function removeIndexedDb(): void {
  const hide =
    "Object.defineProperty(self, 'indexedDB', { get: () => undefined, configurable: true });";
  Object.defineProperty(window, 'indexedDB', { get: () => undefined, configurable: true });
  const NativeWorker = window.Worker;
  const hideUrl = URL.createObjectURL(new Blob([hide], { type: 'text/javascript' }));
  const w = window as unknown as { __workersWithoutIndexedDb: number };
  w.__workersWithoutIndexedDb = 0;
  window.Worker = class extends NativeWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      if (options?.type !== 'module') {
        super(url, options);
        return;
      }
      // Static imports run in order, and a module worker gets its messages only after both ran.
      const real = new URL(String(url), location.href).href;
      const entry = `import ${JSON.stringify(hideUrl)};\nimport ${JSON.stringify(real)};\n`;
      super(URL.createObjectURL(new Blob([entry], { type: 'text/javascript' })), options);
      w.__workersWithoutIndexedDb++;
    }
  };
}

test('without IndexedDB the app trains, says why saving is off, and Save is disabled', async () => {
  const step = createStepTimer();
  const { page, context, consoleErrors } = await openApp(browser, baseUrl, '?backend=wasm');
  try {
    await context.addInitScript(removeIndexedDb);
    await page.reload();
    expect(await page.evaluate(() => typeof window.indexedDB)).toBe('undefined');
    const status = page.getByRole('status').filter({ hasText: 'Saving in this browser is off' });
    await status.waitFor();
    expect(await status.innerText()).toBe(
      'Saving in this browser is off: This browser does not provide IndexedDB (it may be turned ' +
        'off by a setting). Training and downloads still work.',
    );

    await loadSmallData(page);
    const accuracy = await trainAndWait(page, QUICK_RUN, 5 * MINUTE_MS);
    expect(accuracy).toBeGreaterThan(0);
    // The run happened in a worker that had no IndexedDB either.
    expect(await page.locator('.training-progress').innerText()).toMatch(/in a Web Worker/);
    expect(
      await page.evaluate(
        () =>
          (window as unknown as { __workersWithoutIndexedDb: number }).__workersWithoutIndexedDb,
      ),
    ).toBeGreaterThanOrEqual(1);
    expect(await page.getByText('Training failed').count()).toBe(0);

    // A model is current and has a name, so only the missing storage keeps Save off.
    expect(await page.getByText('Current model:').innerText()).toMatch(/trained in this tab/);
    expect(await page.getByLabel('Model name').inputValue()).not.toBe('');
    await expect
      .poll(() => page.getByRole('button', { name: 'Save', exact: true }).isDisabled())
      .toBe(true);
    expect(await page.getByRole('button', { name: 'Download', exact: true }).isEnabled()).toBe(
      true,
    );
    expect(consoleErrors).toEqual([]);
    step('train without IndexedDB');
  } catch (error) {
    await logPageText(page);
    throw error;
  } finally {
    await context.close();
  }
});
