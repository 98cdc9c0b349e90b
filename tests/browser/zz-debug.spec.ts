import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, inject, test } from 'vitest';
import { csvFixture } from '../support/fixtures';
import { expectCounts, setTrainingParams, uploadFiles, waitForTestAccuracy } from './app-driver';
import { launchChromium, openApp } from './chromium';
const baseUrl = inject('baseUrl');
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
test('debug', async () => {
  const app = await openApp(browser, baseUrl, '?backend=wasm');
  const { page } = app;
  page.on('console', (m) => console.log('console', m.type(), m.text().slice(0, 300)));
  await page.evaluate(() => {
    const w = window as unknown as { __lt: [number, number][] };
    w.__lt = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries())
        w.__lt.push([Math.round(e.startTime), Math.round(e.duration)]);
    }).observe({ type: 'longtask' });
  });
  const files = csvFixture('subset');
  await uploadFiles(page, [files.trainCsv, files.testCsv]);
  await expectCounts(page, { train: '2,000', test: '2,000' });
  await setTrainingParams(page, { epochs: 2, seed: 7 });
  const t0 = await page.evaluate(() => performance.now());
  await page.getByRole('button', { name: 'Train' }).click();
  await page.waitForTimeout(20000);
  await page.screenshot({ path: '/tmp/dbg/mid.png', fullPage: true });
  const acc = await waitForTestAccuracy(page, 600000);
  await page.waitForTimeout(2000);
  await page.screenshot({ path: '/tmp/dbg/end.png', fullPage: true });
  console.log(
    'acc',
    acc,
    't0',
    t0,
    JSON.stringify(await page.evaluate(() => (window as unknown as { __lt: unknown }).__lt)),
  );
  console.log(await page.locator('main').innerText());
});
