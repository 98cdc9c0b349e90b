/**
 * Our 3×3 convolution kernels in Chromium: relaxed SIMD (which Node 20 cannot run without a
 * flag) and SIMD128, on 1 and 2 threads, against tfjs's cpu backend for every conv layer of the
 * six architectures, in a module worker as the app trains. Builds its own small page
 * (tests/browser/conv3x3-page/) with the app's Vite config and serves it with the same
 * cross-origin isolation headers as the app. Then the whole seed CNN as the app trains it
 * without a GPU (relaxed SIMD, 2 threads, shared heap): short epochs on real images with no
 * growth of tensors or heap, and one real batch's gradients against the stock path's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { PROJECT_ROOT } from '../support/fixtures';
import { loadRealSplit } from '../unit/training/real-data';
import type { CheckReport } from './conv3x3-page/check.worker';
import { REAL_ROWS, REAL_ROWS_PATH } from './conv3x3-page/real-rows';
import type { SeedCnnReport } from './conv3x3-page/seed-cnn-check';
import { launchChromium } from './chromium';

const MAX_RELATIVE_ERROR = 1e-4;
const PAGE_ROOT = join(PROJECT_ROOT, 'tests', 'browser', 'conv3x3-page');
const PASSES = ['forward', 'fused forward + bias + ReLU', 'input gradient', 'filter gradient'];

let browser: Browser;
let server: PreviewServer;
let outDir: string;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'conv3x3-page-'));
  const config = { root: PAGE_ROOT, configFile: join(PROJECT_ROOT, 'vite.config.ts') };
  await build({ ...config, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  // Real training rows for the seed CNN check, beside the page (a temporary folder, deleted
  // after the tests): images, then labels.
  const { images, labels } = loadRealSplit('train', REAL_ROWS);
  writeFileSync(join(outDir, REAL_ROWS_PATH), Buffer.concat([images, labels]));
  server = await preview({
    ...config,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, open: false },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** Runs one part of the check page's worker; throws what the page reports as an error. */
async function runCheck<Report>(part: 'kernels' | 'seed-cnn'): Promise<Report> {
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  try {
    await page.goto(`http://127.0.0.1:${address.port}/?part=${part}`);
    await page.waitForFunction(() => window.__conv3x3Check !== undefined, null, {
      timeout: 10 * 60_000,
      polling: 500,
    });
    const report = (await page.evaluate(() => window.__conv3x3Check)) as Report | { error: string };
    if (typeof report === 'object' && report !== null && 'error' in report) {
      throw new Error(report.error);
    }
    expect(pageErrors).toEqual([]);
    return report;
  } finally {
    await page.close();
  }
}

test('relaxed SIMD and SIMD128, on 1 and 2 threads, equal tfjs cpu for every layer shape, and 1 and 2 threads each other bit for bit', async () => {
  const report = await runCheck<CheckReport>('kernels');
  expect(report.isolated).toBe(true);
  expect(report.results).toHaveLength(3);
  for (const { asked, ran, reason, errors, calls, imagesByThread } of report.results) {
    const label = `${asked.flavour}, ${asked.threads} thread(s)`;
    console.log(
      `[conv3x3] ${label}: worst ${Math.max(...errors.flat()).toExponential(2)}; images per thread ${imagesByThread.join(' / ')}; ${reason}`,
    );
    expect(ran, reason).toEqual(asked);
    errors.forEach((byPass, layer) =>
      byPass.forEach((error, pass) =>
        expect(error, `${label}, layer ${layer}, ${PASSES[pass]}`).toBeLessThan(MAX_RELATIVE_ERROR),
      ),
    );
    // Every layer's gradients ran on our kernels, and every forward pass but the one-channel
    // layers' (XNNPACK's there); nothing else fell back.
    expect(calls).toEqual({
      forward: 8 * 3,
      inputGradient: 10,
      filterGradient: 10,
      fallback: 2 * 3,
    });
    // Every thread took part: each of the 44 jobs deals its images (or blocks) out one by one.
    expect(imagesByThread).toHaveLength(asked.threads);
    for (const images of imagesByThread) expect(images).toBeGreaterThan(0);
  }
  // However the threads shared the work, the results are the bits of one thread's: seeded
  // training repeats exactly.
  const [relaxedTwoThreads, relaxedOneThread] = report.results;
  expect(relaxedTwoThreads.fingerprints).toEqual(relaxedOneThread.fingerprints);
});

test('the seed CNN on relaxed SIMD, 2 threads, shared heap: epochs on real images grow neither tensors nor the heap, and a real batch has the stock path’s gradients within 1e-4', async () => {
  const report = await runCheck<SeedCnnReport>('seed-cnn');
  console.log(
    `[conv3x3] seed CNN: epoch ends ${JSON.stringify(report.epochEnds)}; calls ${JSON.stringify(report.trainingCalls)}; worst gradient error ${Math.max(...report.gradientErrors.map((g) => g.error)).toExponential(2)}; ${report.reason}`,
  );
  // The app's configuration really ran: our relaxed kernels on both threads of a shared heap.
  expect(report.ran, report.reason).toEqual({ flavour: 'relaxed', threads: 2 });
  expect(report.isHeapShared).toBe(true);
  // Every conv layer's gradients, and every forward pass but conv1's, ran on our kernels.
  expect(report.trainingCalls.filterGradient).toBeGreaterThan(0);
  expect(report.trainingCalls.inputGradient).toBeGreaterThan(0);
  expect(report.trainingCalls.forward).toBeGreaterThan(0);
  // No growth of tensors or tfjs's bytes from one epoch's end to the next; none of the heap
  // once the first validation pass is behind (seed-cnn-check.ts says why it grows once).
  expect(report.epochEnds).toHaveLength(3);
  const [first, second, third] = report.epochEnds;
  const tfjsMemory = ({ numTensors, numBytes }: typeof first) => ({ numTensors, numBytes });
  expect(tfjsMemory(second)).toEqual(tfjsMemory(first));
  expect(tfjsMemory(third)).toEqual(tfjsMemory(first));
  expect(third.heapBytes).toBe(second.heapBytes);
  // Two BatchNorms (γ, β), four conv and three dense layers (kernel, bias).
  expect(report.gradientErrors).toHaveLength(18);
  for (const { name, error, isNonZero } of report.gradientErrors) {
    expect(isNonZero, name).toBe(true);
    expect(error, name).toBeLessThan(MAX_RELATIVE_ERROR);
  }
});
