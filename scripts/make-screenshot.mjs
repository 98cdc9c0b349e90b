#!/usr/bin/env node
/**
 * Writes docs/screenshot.png, the README's picture of the app after a run: the production
 * build (run `npx vite build` first) served by `vite preview` with the app's headers, opened in
 * Chromium (the one the browser tests use) at a laptop's width, the shipped sample loaded,
 * the seed CNN trained for two epochs, a second, smaller architecture for one, two runs picked
 * for comparison; then the page from the live curves to the per-class accuracy, and the runs.
 * Nothing in it is staged: every number is the real run's.
 *
 *   npx vite build && node scripts/make-screenshot.mjs
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/support/chromium-options.mjs';
import { PROJECT_ROOT } from '../tests/support/csv-fixtures.mjs';

const OUT = join(PROJECT_ROOT, 'docs', 'screenshot.png');
const VIEWPORT = { width: 1280, height: 900 };
const MINUTE_MS = 60_000;

if (!existsSync(join(PROJECT_ROOT, 'dist', 'index.html'))) {
  console.error('dist/ is missing: run `npx vite build` first.');
  process.exit(1);
}

/** Trains one run with the form's fields set by their labels; waits for its row in the runs table. */
async function train(page, { architecture, epochs, runs }) {
  await page.getByLabel('Architecture', { exact: true }).selectOption(architecture);
  await page.getByLabel('Epochs', { exact: true }).fill(String(epochs));
  await page.getByLabel('Seed', { exact: true }).fill('1');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page
    .getByRole('table', { name: 'Runs' })
    .locator('tbody tr')
    .nth(runs - 1)
    .waitFor({ timeout: 15 * MINUTE_MS });
}

/** Where `locator` is, CSS px (page coordinates, the viewport being as tall as the page). */
async function pageBox(locator) {
  const box = await locator.boundingBox();
  if (!box) throw new Error('An element of the screenshot is not on the page');
  return box;
}

const server = await preview({
  root: PROJECT_ROOT,
  logLevel: 'warn',
  preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
});
const address = server.httpServer.address();
const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  headless: true,
  args: CHROMIUM_ARGS,
});
try {
  const page = await browser.newPage({ viewport: VIEWPORT });
  await page.goto(`http://127.0.0.1:${address.port}/?backend=wasm`);
  await page.getByRole('button', { name: 'Try it with a sample' }).click();
  await page.getByText('Test set: 1,000 images').waitFor({ timeout: MINUTE_MS });

  await train(page, { architecture: 'conv2-pool2', epochs: 1, runs: 1 });
  await train(page, { architecture: 'seed-cnn', epochs: 2, runs: 2 });
  await page.getByRole('checkbox', { name: 'Compare run 1' }).check();
  await page.getByRole('checkbox', { name: 'Compare run 2' }).check();
  for (const name of [
    'Per-class accuracy chart',
    'Validation accuracy of the compared runs',
    /^Confusion matrix/,
  ]) {
    await page.getByRole('figure', { name }).locator('canvas').waitFor({ timeout: MINUTE_MS });
  }
  // Let the last chart's first draw land.
  await page.waitForTimeout(1000);

  // A viewport as tall as the page: nothing scrolls, so boxes are page coordinates.
  const pageHeight = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: VIEWPORT.width, height: pageHeight });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(1500);
  // From the live curves to the per-class accuracy, then the runs table with its chart.
  const top = await pageBox(page.getByRole('figure', { name: 'Training loss per batch' }));
  const perClass = await pageBox(page.getByRole('figure', { name: 'Per-class accuracy chart' }));
  const matrix = await pageBox(page.getByRole('figure', { name: /^Confusion matrix/ }));
  const resultsBottom = Math.max(perClass.y + perClass.height, matrix.y + matrix.height);
  const runs = await pageBox(page.getByRole('region', { name: 'Runs' }));
  mkdirSync(join(PROJECT_ROOT, 'docs'), { recursive: true });
  const resultsClip = {
    x: 0,
    y: top.y - 16,
    width: VIEWPORT.width,
    height: resultsBottom - top.y + 32,
  };
  const runsClip = { x: 0, y: runs.y - 8, width: VIEWPORT.width, height: runs.height + 16 };
  const [results, table] = [
    await page.screenshot({ clip: resultsClip }),
    await page.screenshot({ clip: runsClip }),
  ];
  // The two pieces one above the other, drawn by the browser into one PNG.
  const stacked = await browser.newPage({
    viewport: { width: VIEWPORT.width, height: Math.ceil(resultsClip.height + runsClip.height) },
  });
  await stacked.setContent(
    `<body style="margin:0;background:#f5f6f8">` +
      `<img style="display:block" src="data:image/png;base64,${results.toString('base64')}">` +
      `<img style="display:block" src="data:image/png;base64,${table.toString('base64')}">` +
      `</body>`,
  );
  await stacked.screenshot({ path: OUT, fullPage: true });
  console.log(`wrote ${OUT}`);
} finally {
  await browser.close();
  await server.close();
}
