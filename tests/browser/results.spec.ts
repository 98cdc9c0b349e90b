/**
 * Results people can take away, in real Chromium on the production build: every chart
 * downloads as PNG and SVG (epochs counted 1, 2 on the loss and accuracy figures), the epoch
 * history as CSV, the runs table sorts, copies as Markdown, downloads as CSV, overlays the
 * validation accuracy of picked runs, and keeps its runs across reloads until they are deleted.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect, inject, test } from 'vitest';
import { csvFixture } from '../support/fixtures';
import {
  collectDownloads,
  expectCounts,
  trainAndWait,
  uploadFiles,
  type DownloadedFile,
} from './app-driver';
import { chromiumForFile, openApp } from './chromium';

const baseUrl = inject('baseUrl');
const MINUTE_MS = 60_000;
const browser = chromiumForFile();

/** Width and height of a PNG, from its IHDR chunk; throws unless the file is a PNG. */
function pngSize(path: string): { width: number; height: number } {
  const bytes = readFileSync(path);
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

const svgTexts = (path: string) =>
  [...readFileSync(path, 'utf8').matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

/** The x-axis tick labels of a downloaded line-chart SVG. */
function xTickLabels(path: string): string[] {
  const xAxis = readFileSync(path, 'utf8').split('aria-label="X-axis')[1] ?? '';
  const labels = xAxis.split('role-axis-label')[1]?.split('</g>')[0] ?? '';
  return [...labels.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

/** Clicks `Download PNG` and `Download SVG` of `figure` and returns the two files. */
async function downloadBoth(
  figure: Locator,
  downloads: ReturnType<typeof collectDownloads>,
): Promise<DownloadedFile[]> {
  await figure.getByRole('button', { name: /^Download PNG/ }).click();
  const [png] = await downloads.take(1);
  await figure.getByRole('button', { name: /^Download SVG/ }).click();
  const [svg] = await downloads.take(1);
  return [png, svg];
}

/** The runs table's body rows as cell texts. */
async function runRows(page: Page): Promise<string[][]> {
  const rows = page.getByRole('table', { name: 'Runs' }).locator('tbody tr');
  const cells: string[][] = [];
  for (const row of await rows.all()) cells.push(await row.locator('td').allInnerTexts());
  return cells;
}

test('charts, history and runs to take away; runs kept across reloads', async () => {
  const app = await openApp(browser(), baseUrl, '?backend=wasm');
  const { page, context } = app;
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const downloads = collectDownloads(page, mkdtempSync(join(tmpdir(), 'fms-results-')));
  try {
    const files = csvFixture('subset');
    await uploadFiles(page, [files.trainCsv, files.testCsv]);
    await expectCounts(page, { train: '2,000', test: '2,000' });
    await trainAndWait(
      page,
      { architecture: 'conv1', epochs: 2, batchSize: 64, seed: 3 },
      10 * MINUTE_MS,
    );

    // The loss and accuracy figures, as the seed project's Keras plots: epochs 1 and 2.
    for (const [name, stem, title] of [
      ['Loss per epoch', 'loss', 'model loss'],
      ['Accuracy per epoch', 'accuracy', 'model accuracy'],
    ]) {
      const figure = page.getByRole('figure', { name });
      const [png, svg] = await downloadBoth(figure, downloads);
      expect([png.name, svg.name]).toEqual([`${stem}.png`, `${stem}.svg`]);
      // Twice the 640 × 360 chart plus the image's padding, for slides and print.
      expect(pngSize(png.path).width).toBeGreaterThanOrEqual(1280);
      expect(xTickLabels(svg.path)).toEqual(['1', '2']);
      expect(svgTexts(svg.path)).toEqual(expect.arrayContaining([title, 'epoch']));
      // The text alternative under the chart.
      expect(await figure.locator('figcaption').innerText()).toMatch(/^2 epochs: training /);
    }
    for (const name of ['Training loss per batch', 'Training accuracy per batch']) {
      const [png] = await downloadBoth(page.getByRole('figure', { name }), downloads);
      expect(pngSize(png.path).width).toBeGreaterThanOrEqual(1280);
    }
    const matrix = page.getByRole('figure', { name: /^Confusion matrix/ });
    await matrix.locator('canvas').waitFor({ timeout: MINUTE_MS });
    const [matrixPng, matrixSvg] = await downloadBoth(matrix, downloads);
    expect(matrixPng.name).toBe('confusion.png');
    expect(pngSize(matrixPng.path).width).toBeGreaterThan(900);
    expect(svgTexts(matrixSvg.path)).toEqual(expect.arrayContaining(['Shirt', 'prediction']));
    const perClass = page.getByRole('figure', { name: 'Per-class accuracy chart' });
    await perClass.locator('canvas').waitFor({ timeout: MINUTE_MS });
    const [, perClassSvg] = await downloadBoth(perClass, downloads);
    expect(perClassSvg.name).toBe('per-class-accuracy.svg');
    expect(
      readFileSync(perClassSvg.path, 'utf8').match(/aria-roledescription="bar"/g),
    ).toHaveLength(10);

    // The epoch history as the command line's history.csv, the same numbers as the table.
    await page.getByRole('button', { name: 'Download history (CSV)' }).click();
    const [history] = await downloads.take(1);
    const lines = readFileSync(history.path, 'utf8').trimEnd().split('\n');
    expect(history.name).toBe('history.csv');
    expect(lines[0]).toBe('epoch,loss,accuracy,val_loss,val_accuracy,seconds,lr');
    expect(lines.map((line) => line.split(',')[0])).toEqual(['epoch', '1', '2']);
    const tableLoss = await page
      .getByRole('table', { name: 'Epoch history' })
      .locator('tbody tr')
      .first()
      .locator('td')
      .nth(1)
      .innerText();
    expect(Number(lines[1].split(',')[1]).toFixed(4)).toBe(tableLoss);

    // A second run, then the table: sort, Markdown, CSV, overlay.
    await trainAndWait(
      page,
      { architecture: 'conv2-pool2', epochs: 2, batchSize: 64, seed: 3 },
      10 * MINUTE_MS,
    );
    await expect.poll(async () => (await runRows(page)).length, { timeout: MINUTE_MS }).toBe(2);
    const table = page.getByRole('table', { name: 'Runs' });
    await table.getByRole('button', { name: 'Parameters' }).click();
    expect(
      await table.getByRole('columnheader', { name: 'Parameters' }).getAttribute('aria-sort'),
    ).toBe('ascending');
    await table.getByRole('button', { name: 'Parameters' }).click();
    expect((await runRows(page)).map((cells) => cells[3])).toEqual(['857,738', '607,818']);

    await page.getByRole('button', { name: 'Copy as Markdown' }).click();
    await page.getByText('Copied 2 runs as a Markdown table.').waitFor();
    const markdown = await page.evaluate(() => navigator.clipboard.readText());
    expect(markdown.split('\n')[0]).toMatch(/^\| Run \| Model \| Parameters \| Train acc\. \|/);
    expect(markdown).toContain('| 1 · Conv64 → Pool4 | 607,818 |');

    await page.getByRole('button', { name: 'Download CSV' }).click();
    const [runsCsv] = await downloads.take(1);
    const csvRows = readFileSync(runsCsv.path, 'utf8').trimEnd().split('\n');
    expect(csvRows).toHaveLength(3);
    expect(csvRows[1].split(',').slice(0, 4)).toEqual([
      '1',
      '1 · Conv64 → Pool4',
      'conv1',
      '607818',
    ]);

    await page.getByRole('checkbox', { name: 'Compare run 1' }).check();
    await page.getByRole('checkbox', { name: 'Compare run 2' }).check();
    const overlay = page.getByRole('figure', { name: 'Validation accuracy of the compared runs' });
    await overlay.locator('canvas').waitFor({ timeout: MINUTE_MS });
    expect(await overlay.locator('figcaption').innerText()).toMatch(
      /^2 epochs: run 1: 1 · Conv64 → Pool4 .*; run 2: 3 · \(Conv64 → Pool2\)×2 /,
    );
    const [, overlaySvg] = await downloadBoth(overlay, downloads);
    expect(svgTexts(overlaySvg.path)).toEqual(
      expect.arrayContaining(['run 1: 1 · Conv64 → Pool4', 'run 2: 3 · (Conv64 → Pool2)×2']),
    );

    // Kept across a reload until deleted (the table comes back in run order).
    const byRun = (rows: string[][]) => [...rows].sort((a, b) => Number(a[1]) - Number(b[1]));
    const before = byRun(await runRows(page));
    await page.reload();
    await expect.poll(() => runRows(page), { timeout: MINUTE_MS }).toEqual(before);
    await page.getByRole('button', { name: 'Delete run 1' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await expect.poll(async () => (await runRows(page)).length).toBe(1);
    await page.reload();
    await expect
      .poll(async () => (await runRows(page)).map((cells) => cells[2]), { timeout: MINUTE_MS })
      .toEqual(['3 · (Conv64 → Pool2)×2']);

    expect(await app.policyViolations()).toEqual([]);
    expect(app.consoleErrors).toEqual([]);
    expect(app.foreignRequests).toEqual([]);
  } finally {
    await context.close();
  }
});
