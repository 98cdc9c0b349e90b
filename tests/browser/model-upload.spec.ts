/**
 * `Model files` in Chromium on the production build, built in the page's training worker:
 * files that read well but do not build are refused with the model JSON's name and what is
 * wrong, and the model in use stays; files that build become the current model.
 */
import * as tf from '@tensorflow/tfjs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { createModel } from '../../src/model/architectures';
import { createModelDownloadFiles } from '../../src/storage/model-download-files';
import { serializeModel } from '../../src/training/serialized-model';
import { panel, type UploadFile } from './app-driver';
import { launchChromium, openApp } from './chromium';

const baseUrl = inject('baseUrl');
const BUILD_TIMEOUT_MS = 120_000;
let browser: Browser;
let modelJsonText: string;
let weights: Buffer;

beforeAll(async () => {
  browser = await launchChromium();
  await tf.setBackend('cpu');
  const model = createModel('conv1', { seed: 1 });
  const [json, bin] = createModelDownloadFiles(await serializeModel(model), null, 'upload');
  model.dispose();
  modelJsonText = await json.blob.text();
  weights = Buffer.from(await bin.blob.arrayBuffer());
});
afterAll(async () => {
  await browser?.close();
});

/** The model's files, its first layer's activation set to `activation`. */
function modelFiles(activation: string): UploadFile[] {
  const json = JSON.parse(modelJsonText) as {
    modelTopology: { config: { layers: { config: Record<string, unknown> }[] } };
  };
  json.modelTopology.config.layers[0].config.activation = activation;
  return [
    {
      name: 'upload.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(json)),
    },
    { name: 'upload.weights.bin', mimeType: 'application/octet-stream', buffer: weights },
  ];
}

test('model files that do not build keep the current model; the alert names the file', async () => {
  const app = await openApp(browser, baseUrl, '?backend=wasm');
  const { page } = app;
  try {
    const keep = panel(page, 'Keep the model');
    const currentLine = keep.getByText(/^Current model:/);
    await page.getByLabel('Model files').setInputFiles(modelFiles('relu'));
    await expect
      .poll(() => currentLine.innerText(), { timeout: BUILD_TIMEOUT_MS })
      .toBe('Current model: upload (loaded from files)');

    const renamed = modelFiles('nonsense');
    renamed[0].name = 'broken.json';
    await page.getByLabel('Model files').setInputFiles(renamed);
    const alert = keep.getByRole('alert');
    await expect.poll(() => alert.count(), { timeout: BUILD_TIMEOUT_MS }).toBe(1);
    expect(await alert.innerText()).toBe(
      'broken.json: layer conv1: unknown activation "nonsense": TensorFlow.js has no ' +
        'activation of that name.',
    );
    expect(await currentLine.innerText()).toBe('Current model: upload (loaded from files)');
    expect(app.foreignRequests).toEqual([]);
  } finally {
    await app.context.close();
  }
});
