/**
 * Our 3×3 convolution kernels in Chromium: relaxed SIMD (which Node 20 cannot run without a
 * flag) and SIMD128, on 1 and 2 threads, against tfjs's cpu backend for every conv layer of the
 * six architectures, in a module worker as the app trains. Builds its own small page
 * (tests/browser/conv3x3-page/) with the app's Vite config and serves it with the same
 * cross-origin isolation headers as the app.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { PROJECT_ROOT } from '../support/fixtures';
import type { CheckReport } from './conv3x3-page/check.worker';
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

test('relaxed SIMD and SIMD128, on 1 and 2 threads, equal tfjs cpu for every layer shape, and 1 and 2 threads each other bit for bit', async () => {
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`http://127.0.0.1:${address.port}/`);
  await page.waitForFunction(() => window.__conv3x3Check !== undefined, null, {
    timeout: 10 * 60_000,
    polling: 500,
  });
  const report = (await page.evaluate(() => window.__conv3x3Check)) as
    CheckReport | { error: string };
  await page.close();
  if ('error' in report) throw new Error(report.error);
  expect(pageErrors).toEqual([]);
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
