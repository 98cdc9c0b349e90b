/**
 * The app as an installed web app, in real Chromium on the production build: Chromium finds it
 * installable (manifest, icons, service worker); after one visit it opens, loads files and
 * trains with the network off; a new version waits beside the running one, which keeps running
 * on its own files, until the page's "Reload to update" switches to it.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { preview } from 'vite';
import { describe, expect, inject, test } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium-options.mjs';
import { csvFixture, PROJECT_ROOT } from '../support/fixtures';
import {
  expectCounts,
  panel,
  setTrainingParams,
  uploadFiles,
  waitForTestAccuracy,
} from './app-driver';
import { chromiumForFile, openApp } from './chromium';

const baseUrl = inject('baseUrl');
const MINUTE_MS = 60_000;
const APP_TITLE = 'Fashion-MNIST Studio';
const browser = chromiumForFile();

/** Waits until the page's service worker has installed (precached the build) and activated. */
async function waitForActiveServiceWorker(page: Page): Promise<void> {
  await expect
    .poll(
      () =>
        page.evaluate(async () => {
          const registration = await navigator.serviceWorker.getRegistration();
          return registration?.active?.state ?? 'none';
        }),
      { timeout: 2 * MINUTE_MS, interval: 250 },
    )
    .toBe('activated');
}

const isControlled = (page: Page) =>
  page.evaluate(() => navigator.serviceWorker.controller !== null);

describe('an installable app that works offline', () => {
  test('Chromium finds it installable: manifest, icons, service worker', async () => {
    // A profile of its own: in the tests' usual (incognito) contexts Chromium calls no site
    // installable, whatever it serves.
    const context = await chromium.launchPersistentContext(
      mkdtempSync(join(tmpdir(), 'fms-profile-')),
      { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true },
    );
    try {
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(baseUrl);
      await waitForActiveServiceWorker(page);
      const cdp = await context.newCDPSession(page);
      const { errors, data } = await cdp.send('Page.getAppManifest');
      expect(errors).toEqual([]);
      const manifest = JSON.parse(data ?? '{}');
      expect(manifest.name).toBe(APP_TITLE);
      expect(manifest.display).toBe('standalone');
      // Every icon is there at the size it claims.
      const icons = manifest.icons as { src: string; sizes: string }[];
      expect(icons.map((icon) => icon.sizes)).toEqual(['192x192', '512x512', '512x512']);
      for (const icon of icons) {
        const size = await page.evaluate(async (src) => {
          const bitmap = await createImageBitmap(await (await fetch(src)).blob());
          return `${bitmap.width}x${bitmap.height}`;
        }, icon.src);
        expect(size, icon.src).toBe(icon.sizes);
      }
      expect(await page.locator('link[rel="icon"]').getAttribute('href')).toBe('./favicon.svg');
      const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
      expect(installabilityErrors).toEqual([]);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('after one visit: offline, reload, load the subsets, train one epoch', async () => {
    const app = await openApp(browser(), baseUrl, '?backend=wasm');
    const { page, context } = app;
    try {
      await waitForActiveServiceWorker(page);
      // The first visit was served by the network; the service worker answers from the next.
      expect(await isControlled(page)).toBe(false);
      await context.setOffline(true);
      await page.reload();
      expect(await isControlled(page)).toBe(true);
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(APP_TITLE);

      // The shipped sample is precached too.
      await panel(page, 'Data').getByRole('button', { name: 'Try it with a sample' }).click();
      await expectCounts(page, { train: '5,000', test: '1,000' }, MINUTE_MS);

      const files = csvFixture('subset');
      await uploadFiles(page, [files.trainCsv, files.testCsv]);
      await expectCounts(page, { train: '2,000', test: '2,000' }, MINUTE_MS);
      await setTrainingParams(page, { epochs: 1, seed: 5 });
      await page.getByRole('button', { name: 'Train', exact: true }).click();
      const accuracy = await waitForTestAccuracy(page, 10 * MINUTE_MS);
      console.log(
        `[offline] one epoch, network off: test accuracy ${accuracy}; ` +
          (await page.getByTestId('backend-info').innerText()),
      );
      expect(accuracy).toBeGreaterThan(0.3);
      expect(await page.getByTestId('backend-info').innerText()).toMatch(/WASM in a Web Worker/);
      expect(app.consoleErrors).toEqual([]);
      expect(app.foreignRequests).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('a new version waits, the page says so, and "Reload to update" switches to it', async () => {
    // A copy of the build, served with the app's headers, to deploy a second version onto.
    const site = mkdtempSync(join(tmpdir(), 'fms-site-'));
    cpSync(join(PROJECT_ROOT, 'dist'), site, { recursive: true });
    const server = await preview({
      root: PROJECT_ROOT,
      logLevel: 'warn',
      build: { outDir: site },
      preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
    });
    const address = server.httpServer.address();
    if (!address || typeof address === 'string') throw new Error('preview server has no port');
    const app = await openApp(browser(), `http://127.0.0.1:${address.port}/`);
    const { page, context } = app;
    try {
      await waitForActiveServiceWorker(page);
      await page.reload();
      expect(await isControlled(page)).toBe(true);
      expect(await page.title()).toBe(APP_TITLE);

      // Deploy version 2: a changed index.html and its new revision in the service worker.
      const indexPath = join(site, 'index.html');
      writeFileSync(
        indexPath,
        readFileSync(indexPath, 'utf8').replace(
          `<title>${APP_TITLE}</title>`,
          `<title>${APP_TITLE} · v2</title>`,
        ),
      );
      const swPath = join(site, 'sw.js');
      const sw = readFileSync(swPath, 'utf8');
      const revised = sw.replace(/(\{url:"index\.html",revision:")[^"]+"/, '$1version-2"');
      expect(revised).not.toBe(sw);
      writeFileSync(swPath, revised);

      await page.evaluate(() =>
        navigator.serviceWorker.getRegistration().then((registration) => registration?.update()),
      );
      const ready = page.getByRole('status').filter({ hasText: 'A new version of' });
      await ready.waitFor({ timeout: 2 * MINUTE_MS });
      // Until the person says so, the page stays on the version it started with, reloads too.
      await page.reload();
      expect(await page.title()).toBe(APP_TITLE);
      await ready.waitFor({ timeout: MINUTE_MS });

      await ready.getByRole('button', { name: 'Reload to update' }).click();
      await expect.poll(() => page.title(), { timeout: MINUTE_MS }).toBe(`${APP_TITLE} · v2`);
      expect(await isControlled(page)).toBe(true);
      expect(await page.getByRole('status').filter({ hasText: 'A new version of' }).count()).toBe(
        0,
      );
      expect(app.consoleErrors).toEqual([]);
    } finally {
      await context.close();
      await server.close();
    }
  });
});
