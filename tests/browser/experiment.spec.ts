/**
 * "Run the six architectures" in real Chromium on the production build: before it starts, on
 * a fresh page, the page times a few training steps on this machine and says how long the
 * experiment should take (and that it is an estimate); the six train in turn with the same
 * settings under one progress view; a reload in the middle of the second one is continued from
 * its checkpoint, and the table ends with the six runs, in the seed project's order.
 */
import type { Page } from 'playwright-core';
import { expect, inject, test } from 'vitest';
import { csvFixture } from '../support/fixtures';
import { expectCounts, setTrainingParams, trainingStatus, uploadFiles } from './app-driver';
import { chromiumForFile, openApp } from './chromium';

const baseUrl = inject('baseUrl');
const MINUTE_MS = 60_000;
const browser = chromiumForFile();

/** The runs table's Model and Epochs cells, row by row. */
async function runModels(page: Page): Promise<string[][]> {
  const rows = page.getByRole('table', { name: 'Runs' }).locator('tbody tr');
  const cells: string[][] = [];
  for (const row of await rows.all()) {
    const texts = await row.locator('td').allInnerTexts();
    cells.push([texts[2], texts[8]]);
  }
  return cells;
}

/** The runs table's Time cells (formatDuration's words), in ms. */
async function runTimesMs(page: Page): Promise<number[]> {
  const rows = page.getByRole('table', { name: 'Runs' }).locator('tbody tr');
  const times: number[] = [];
  for (const row of await rows.all()) {
    const text = (await row.locator('td').allInnerTexts())[9];
    const [, h, m, s] = /^(?:(\d+) h )?(?:(\d+) min ?)?(?:([\d.]+) s)?$/.exec(text) ?? [];
    times.push(((Number(h ?? 0) * 60 + Number(m ?? 0)) * 60 + Number(s ?? 0)) * 1000);
  }
  return times;
}

const formatSeconds = (ms: number) => `${Math.round(ms / 1000)} s`;

test('the six architectures: estimate first, one progress view, continued after a reload', async () => {
  const app = await openApp(browser(), baseUrl, '?backend=wasm');
  const { page } = app;
  try {
    const files = csvFixture('subset');
    await uploadFiles(page, [files.trainCsv, files.testCsv]);
    await expectCounts(page, { train: '2,000', test: '2,000' });

    // Nothing timed in this browser yet: the page times a few training steps itself, on the
    // loaded images and the backend the runs get, and estimates from them before anything starts.
    await setTrainingParams(page, { epochs: 2, batchSize: 64, seed: 2 });
    await page.getByRole('button', { name: 'Run the six architectures' }).click();
    const confirm = page.getByRole('group', { name: 'Confirm the experiment' });
    const startButton = confirm.getByRole('button', { name: 'Start the six runs' });
    await confirm.getByText(/^Estimated time: about/).waitFor({ timeout: 3 * MINUTE_MS });
    expect(await startButton.isEnabled()).toBe(true);
    const estimate = await confirm.innerText();
    expect(estimate).toMatch(
      /Estimated time: about (\d+(\.\d)? s|\d+ min \d\d s|\d+ h \d\d min) on this machine/,
    );
    expect(estimate).toMatch(
      /An estimate: [\d,]+ images\/s measured just now over 4 training steps of 5 · model 4 \+ BatchNorm on wasm \(after 2 warm-up steps\)/,
    );
    // The measurement trained nothing the page keeps: no run in the table, no model.
    expect(await page.getByRole('table', { name: 'Runs' }).count()).toBe(0);
    const startedMs = Date.now();
    await startButton.click();

    // One progress view for the whole experiment; hold the second run after its first epoch.
    const progress = page.getByRole('progressbar', { name: 'Experiment progress' });
    await progress.waitFor({ timeout: MINUTE_MS });
    await page.getByText(/^Experiment: architecture 2 of 6/).waitFor({ timeout: 5 * MINUTE_MS });
    await page
      .getByRole('status', { name: 'Checkpoint' })
      .filter({ hasText: 'Checkpoint after epoch 1 kept in this browser' })
      .waitFor({ timeout: 5 * MINUTE_MS });
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => trainingStatus(page), { timeout: MINUTE_MS }).toMatch(/^Paused/);
    expect(Number(await progress.getAttribute('value'))).toBeGreaterThan(0);
    const list = await page.getByRole('list', { name: 'The six architectures' }).innerText();
    expect(list).toMatch(/1 · Conv64 → Pool4: done, test accuracy \d+\.\d\d%/);
    expect(list).toContain('2 · 2×Conv64 → Pool4: training now');

    await page.reload();
    await page
      .getByText('The six-architecture experiment stopped at architecture 2 of 6.')
      .waitFor({ timeout: MINUTE_MS });
    // The kept data comes back by itself; the experiment's own resume, not the generic one.
    await expectCounts(page, { train: '2,000', test: '2,000' }, 2 * MINUTE_MS);
    expect(await page.getByRole('button', { name: /^Resume training from epoch/ }).count()).toBe(0);
    const continueButton = page.getByRole('button', { name: 'Continue the experiment' });
    await expect.poll(() => continueButton.isEnabled(), { timeout: MINUTE_MS }).toBe(true);
    await continueButton.click();
    await page
      .getByRole('status', { name: 'Checkpoint' })
      .filter({ hasText: 'Resumed from the checkpoint after epoch 1.' })
      .waitFor({ timeout: MINUTE_MS });
    await page
      .getByText('The six runs are done: compare them in the Runs table below.')
      .waitFor({ timeout: 12 * MINUTE_MS });

    const runTimes = await runTimesMs(page);
    console.log(
      `[experiment] ${/Estimated time: about [^.]*/.exec(estimate)?.[0]}; the six runs' Time ` +
        `column sums to ${formatSeconds(runTimes.reduce((a, b) => a + b, 0))} ` +
        `(${runTimes.map(formatSeconds).join(', ')}); start to end with the reload ` +
        `${formatSeconds(Date.now() - startedMs)} (timings on a shared machine)`,
    );
    // The six in the seed project's order, each with every epoch.
    expect(await runModels(page)).toEqual(
      [
        '1 · Conv64 → Pool4',
        '2 · 2×Conv64 → Pool4',
        '3 · (Conv64 → Pool2)×2',
        '4 · 2×Conv64 → Pool2 → Conv64 → Pool2',
        '5 · model 4 + BatchNorm',
        '6 · Seed CNN',
      ].map((model) => [model, '2']),
    );
    expect(await app.policyViolations()).toEqual([]);
    expect(app.consoleErrors).toEqual([]);
  } finally {
    await app.context.close();
  }
});
