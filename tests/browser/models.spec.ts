/**
 * Keeping the weights, in real Chromium on the production build: a trained model is saved in
 * IndexedDB, survives a reload, loads back with the same test accuracy, downloads as files that
 * TensorFlow.js in Node reads with the same parameter count, and those files load back in.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { csvFixture } from '../support/fixtures';
import {
  collectDownloads,
  expectCounts,
  panel,
  setTrainingParams,
  uploadFiles,
  waitForTestAccuracy,
} from './app-driver';
import { launchChromium, openApp } from './chromium';

const baseUrl = inject('baseUrl');
const MINUTE_MS = 60_000;
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
  await tf.setBackend('cpu');
});
afterAll(async () => {
  await browser?.close();
});

test('train → Save → reload → Load gives the same test accuracy; Download → Node and back', async () => {
  const app = await openApp(browser, baseUrl, '?backend=wasm');
  const { page, context } = app;
  try {
    const files = csvFixture('small');
    const loadData = async () => {
      await uploadFiles(page, [files.trainCsv, files.testCsv]);
      await expectCounts(page, { train: '100', test: '100' });
    };
    await loadData();
    await setTrainingParams(page, { epochs: 1, batchSize: 16, seed: 3 });
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    const trainedAccuracy = await waitForTestAccuracy(page, 5 * MINUTE_MS);

    // Try it: a test image, then a drawing, each gets the top three classes.
    const tryIt = page.getByRole('region', { name: 'Try it' });
    const topThree = tryIt.getByRole('list', { name: 'Top 3 classes' });
    await tryIt.getByLabel('Test image').fill('1');
    await tryIt.getByRole('button', { name: 'Show test image' }).click();
    await expect.poll(() => topThree.getByRole('listitem').count(), { timeout: MINUTE_MS }).toBe(3);
    const testImageGuesses = await topThree.getByRole('listitem').allInnerTexts();
    for (const text of testImageGuesses) {
      expect(text).toMatch(/^.+ — \d+\.\d%$/);
    }
    const canvas = tryIt.getByLabel('Drawing canvas');
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + 80, box.y + 60);
    await page.mouse.down();
    await page.mouse.move(box.x + 200, box.y + 60, { steps: 8 });
    await page.mouse.move(box.x + 200, box.y + 220, { steps: 8 });
    await page.mouse.up();
    await tryIt.getByText('Model input: your drawing').waitFor();
    await expect
      .poll(() => topThree.getByRole('listitem').allInnerTexts(), { timeout: MINUTE_MS })
      .not.toEqual(testImageGuesses);
    expect(await topThree.getByRole('listitem').count()).toBe(3);

    await page.getByLabel('Model name').fill('browser test model');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const savedList = page.getByRole('list', { name: 'Saved models' });
    await savedList.getByRole('listitem', { name: 'browser test model' }).waitFor();

    // Downloads: model JSON, weights, metadata.
    // Each file is read only once it is completely on disk.
    const collected = collectDownloads(page, mkdtempSync(join(tmpdir(), 'fms-download-')));
    await page.getByRole('button', { name: 'Download', exact: true }).first().click();
    const downloads = await collected.take(3, 30_000);
    const names = downloads.map((d) => d.name).sort();
    expect(names).toEqual(
      [
        'browser test model.json',
        'browser test model.metadata.json',
        'browser test model.weights.bin',
      ]
        .map((n) => n.replace(/ /g, '-'))
        .sort(),
    );

    // TensorFlow.js in Node reads the files: the seed CNN's 484,302 parameters.
    const pathOf = (suffix: string) => downloads.find((d) => d.name.endsWith(suffix))!.path;
    const modelJson = JSON.parse(readFileSync(pathOf('model.json'), 'utf8'));
    const weights = readFileSync(pathOf('.weights.bin'));
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest[0].weights,
        weightData: weights.buffer.slice(
          weights.byteOffset,
          weights.byteOffset + weights.byteLength,
        ),
      }),
    );
    expect(model.countParams()).toBe(484_302);
    model.dispose();

    // After a reload the model is still listed, and loading it gives the same test accuracy.
    await page.reload();
    await loadData();
    await savedList.getByRole('listitem', { name: 'browser test model' }).waitFor();
    await savedList
      .getByRole('listitem', { name: 'browser test model' })
      .getByRole('button', { name: 'Load', exact: true })
      .click();
    expect(await waitForTestAccuracy(page, 3 * MINUTE_MS)).toBe(trainedAccuracy);

    // The downloaded files load back in through `Model files`.
    await page.reload();
    await loadData();
    await page.getByLabel('Model files').setInputFiles(downloads.map((d) => d.path));
    expect(await waitForTestAccuracy(page, 3 * MINUTE_MS)).toBe(trainedAccuracy);

    // A wrong file says exactly what is wrong and keeps the current model.
    await page.getByLabel('Model files').setInputFiles([pathOf('.weights.bin')]);
    await expect
      .poll(() => panel(page, 'Keep the model').getByRole('alert').innerText(), {
        timeout: 30_000,
      })
      .toMatch(/model JSON/i);

    // Delete asks first, then removes the entry.
    const item = savedList.getByRole('listitem', { name: 'browser test model' });
    await item.getByRole('button', { name: 'Delete', exact: true }).click();
    await item.getByRole('button', { name: 'Yes, delete' }).click();
    await expect.poll(() => savedList.getByRole('listitem').count(), { timeout: 30_000 }).toBe(0);
    expect(app.foreignRequests).toEqual([]);
  } finally {
    await context.close();
  }
});
