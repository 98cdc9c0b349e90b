/**
 * Outgrowing the tab, end to end in real Chromium and real PyTorch (Debian's python3-torch on
 * the CPU): the seed run exported as a PyTorch project and trained as two processes (gloo)
 * comes back into the tab through `Model files` with the test accuracy the script printed; a
 * model trained in the tab, exported with its weights from `Keep the model`, continues in
 * PyTorch: before its first step it predicts what the tab predicted, it trains an epoch, and
 * the result loads back into the tab with PyTorch's predictions.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { DEFAULT_TRAINING_PARAMS } from '../../src/training/training-params';
import { writeExportedProject } from '../support/exported-project';
import { csvFixture, FIXTURES_DIR } from '../support/fixtures';
import { findPython, runDistributed, runPython } from '../support/python';
import {
  collectDownloads,
  expectCounts,
  panel,
  trainAndWait,
  uploadFiles,
  waitForTestAccuracy,
} from './app-driver';
import { launchChromium, openApp } from './chromium';

const baseUrl = inject('baseUrl');
const MINUTE_MS = 60_000;
/** The tab shows two decimals of a percentage; the script's figure must round to within that. */
const ACCURACY_TOLERANCE = 0.0005;
/** Page (wasm) vs PyTorch (cpu), per probability. */
const PROBABILITY_TOLERANCE = 1e-5;

let browser: Browser;
let python: string;
const dirs: string[] = [];

beforeAll(async () => {
  python = findPython(['numpy', 'torch']);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** `test accuracy 81.25 % (1625 of 2000)` → 0.8125. */
function printedTestAccuracy(log: string): number {
  const match = /^test accuracy ([\d.]+) % \((\d+) of (\d+)\)$/m.exec(log);
  if (!match) throw new Error(`no test accuracy in the log:\n${log}`);
  return Number(match[2]) / Number(match[3]);
}

/** The probabilities of a predictions CSV (index, label, predicted, p_…). */
function readProbabilities(path: string): number[][] {
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n').slice(1);
  return lines.map((line) => line.split(',').slice(3).map(Number));
}

async function logPageTextOnFailure<T>(page: Page, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    console.error(
      await page
        .locator('main')
        .innerText()
        .catch(() => ''),
    );
    throw error;
  }
}

test('the seed run trained by PyTorch as two processes loads into the tab with its test accuracy', async () => {
  const params = { ...DEFAULT_TRAINING_PARAMS, epochs: 1, seed: 1 };
  const project = writeExportedProject({ params, framework: 'pytorch' });
  dirs.push(project);
  const subset = csvFixture('subset');
  const runs = await runDistributed(
    python,
    'train.py',
    ['--path', dirname(subset.trainCsv), '--out', 'out', '--device', 'cpu'],
    { cwd: project, processes: 2 },
  );
  runs.forEach((run, rank) => expect(run.status, `rank ${rank}: ${run.stderr}`).toBe(0));
  const log = runs[0].stdout;
  console.info(log);
  expect(log).toMatch(/1,600 training rows, 400 validation, 2,000 test; 2 process\(es\) on cpu/);
  expect(log).toMatch(/^epoch 1\/1 {2}loss /m);
  // Only process 0 logs and writes.
  expect(runs[1].stdout).toBe('');
  const printed = printedTestAccuracy(log);
  const metadata = JSON.parse(readFileSync(join(project, 'out', 'seed-cnn.metadata.json'), 'utf8'));
  expect(metadata.testAccuracy).toBeCloseTo(printed, 12);
  expect(metadata.history).toHaveLength(1);

  const { page, context, foreignRequests } = await openApp(browser, baseUrl, '?backend=wasm');
  try {
    await logPageTextOnFailure(page, async () => {
      await uploadFiles(page, [subset.trainCsv, subset.testCsv]);
      await expectCounts(page, { train: '2,000', test: '2,000' }, 2 * MINUTE_MS);
      const out = join(project, 'out');
      await page
        .getByLabel('Model files')
        .setInputFiles(
          ['seed-cnn.json', 'seed-cnn.weights.bin', 'seed-cnn.metadata.json'].map((f) =>
            join(out, f),
          ),
        );
      const shown = await waitForTestAccuracy(page, 5 * MINUTE_MS);
      console.info(`printed ${(printed * 100).toFixed(2)} %, tab ${(shown * 100).toFixed(2)} %`);
      expect(Math.abs(shown - printed)).toBeLessThanOrEqual(ACCURACY_TOLERANCE);
      expect(await page.getByText('Current model:').innerText()).toMatch(
        /seed-cnn \(PyTorch, 2 processes\).*loaded from files/,
      );
      expect(foreignRequests).toEqual([]);
    });
  } finally {
    await context.close();
  }
});

/** The largest |a − b| over every probability of two predictions files' rows. */
function maxDifference(a: number[][], b: number[][]): number {
  expect(b).toHaveLength(a.length);
  return Math.max(...a.flatMap((row, i) => row.map((p, c) => Math.abs(p - b[i][c]))));
}

/** Unzips the project .zip the tab handed over into `root`; returns its PyTorch folder. */
function unzipProject(zipPath: string, root: string): string {
  for (const [path, bytes] of Object.entries(unzipSync(readFileSync(zipPath)))) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    if (!path.endsWith('/')) writeFileSync(join(root, path), bytes);
  }
  return join(root, 'tab-model-training-project', 'pytorch');
}

test('a model trained in the tab and exported with its weights continues in PyTorch and comes back', async () => {
  const { page, context } = await openApp(browser, baseUrl, '?backend=wasm');
  const downloadsDir = mkdtempSync(join(tmpdir(), 'fms-export-downloads-'));
  dirs.push(downloadsDir);
  try {
    await logPageTextOnFailure(page, async () => {
      const downloads = collectDownloads(page, downloadsDir);
      const small = csvFixture('small');
      await uploadFiles(page, [small.trainCsv, small.testCsv]);
      await expectCounts(page, { train: '100', test: '100' });
      await trainAndWait(page, { epochs: 1, batchSize: 16, seed: 3 }, 5 * MINUTE_MS);
      await page.getByLabel('Model name').fill('tab model');
      await page.getByRole('button', { name: 'Download test predictions', exact: true }).click();
      const [predictions] = await downloads.take(1);
      const keep = panel(page, 'Keep the model');
      await keep.getByRole('button', { name: 'Export as a training project', exact: true }).click();
      const [zip] = await downloads.take(1);
      expect(zip.name).toBe('tab-model-training-project.zip');
      const project = unzipProject(zip.path, join(downloadsDir, 'project'));

      // One epoch from the tab's weights (the project's --init-from), with the predictions of
      // the starting weights written before the first step and the final ones after.
      const run = await runPython(
        python,
        [
          'train.py',
          '--path',
          join(FIXTURES_DIR, 'small'),
          '--epochs',
          '1',
          '--out',
          'out',
          '--initial-predictions-csv',
          'p0.csv',
          '--predictions-csv',
          'p1.csv',
        ],
        { cwd: project },
      );
      expect(run.status, run.stderr).toBe(0);
      console.info(run.stdout);
      expect(run.stdout).toContain('starting from the weights in');
      expect(run.stdout).toContain('tab-model/tab-model.json');

      const tab = readProbabilities(predictions.path);
      const before = maxDifference(tab, readProbabilities(join(project, 'p0.csv')));
      console.info(
        `max |tab − PyTorch before its first step| probability over ${tab.length} test images: ${before.toExponential(2)}`,
      );
      expect(tab).toHaveLength(100);
      expect(before).toBeLessThanOrEqual(PROBABILITY_TOLERANCE);

      const out = join(project, 'out');
      const metadata = JSON.parse(readFileSync(join(out, 'seed-cnn.metadata.json'), 'utf8'));
      expect(metadata.history).toHaveLength(1);
      expect(Number.isFinite(metadata.history[0].loss)).toBe(true);
      expect(metadata.epochsCompleted).toBe(1);
      // It trained: the weights moved, so the predictions did.
      const after = readProbabilities(join(project, 'p1.csv'));
      expect(maxDifference(tab, after)).toBeGreaterThan(PROBABILITY_TOLERANCE);

      // The continued model back in a fresh tab: PyTorch's test accuracy and predictions.
      await page.reload();
      await uploadFiles(page, [small.trainCsv, small.testCsv]);
      await expectCounts(page, { train: '100', test: '100' });
      await page
        .getByLabel('Model files')
        .setInputFiles(
          ['seed-cnn.json', 'seed-cnn.weights.bin', 'seed-cnn.metadata.json'].map((f) =>
            join(out, f),
          ),
        );
      const shown = await waitForTestAccuracy(page, 3 * MINUTE_MS);
      expect(Math.abs(shown - printedTestAccuracy(run.stdout))).toBeLessThanOrEqual(
        ACCURACY_TOLERANCE,
      );
      expect(await page.getByText('Current model:').innerText()).toMatch(
        /seed-cnn \(PyTorch, 1 process\).*loaded from files/,
      );
      await page.getByRole('button', { name: 'Download test predictions', exact: true }).click();
      const [reloaded] = await downloads.take(1);
      const back = maxDifference(after, readProbabilities(reloaded.path));
      console.info(`max |PyTorch − tab after the epoch| probability: ${back.toExponential(2)}`);
      expect(back).toBeLessThanOrEqual(PROBABILITY_TOLERANCE);
    });
  } finally {
    await context.close();
  }
});
