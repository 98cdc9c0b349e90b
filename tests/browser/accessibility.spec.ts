/**
 * Usable by everyone, in real Chromium on the production build. axe-core audits every state of
 * the journey (empty, loaded, training, finished, models listed) with no serious or critical
 * violation; each state is laid out at a 1280-px laptop and a 390-px phone with nothing wider
 * than the screen (screenshots in test-results/layout/, looked at when the layout changes);
 * the whole journey runs from the keyboard alone, every stop showing a visible focus ring; and
 * while a real run trains, the announcer's live region speaks its events no closer together
 * than the calm announcer's gap, while the visible status line changes several times a second.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { PROJECT_ROOT } from '../support/fixtures';
import { collectDownloads, expectCounts, panel, waitForTestAccuracy } from './app-driver';
import {
  MIN_ANNOUNCEMENT_GAP_MS,
  PROGRESS_ANNOUNCEMENT_INTERVAL_MS,
} from '../../src/ui/feedback/calm-announcer';
import { launchChromium, openApp } from './chromium';

const baseUrl = inject('baseUrl');
const MINUTE_MS = 60_000;
const AXE_PATH = join(PROJECT_ROOT, 'node_modules', 'axe-core', 'axe.min.js');
const SCREENSHOT_DIR = join(PROJECT_ROOT, 'test-results', 'layout');
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** axe-core's serious and critical violations on the page as it is now. */
async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document) => Promise<unknown> } })
      .axe;
    const result = (await axe.run(document)) as {
      violations: {
        id: string;
        impact: string | null;
        help: string;
        nodes: { target: string[] }[];
      }[];
    };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((node) => node.target.join(' ')),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * Lays the page out at a laptop's and a phone's width, saving a full-page screenshot of each;
 * returns what is wider than the phone's screen (nothing, when the layout holds).
 */
async function layOut(page: Page, state: string): Promise<string[]> {
  await page.setViewportSize(PHONE);
  // Charts redraw at their new width in tasks of their own.
  await page.waitForTimeout(1500);
  const overflow = await page.evaluate(() => {
    const limit = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('main *')].filter((element) => {
      const box = element.getBoundingClientRect();
      // Inside a horizontally scrolling box (a wide table) is fine: the page itself does not move.
      const scroller = element.parentElement?.closest('.table-scroll');
      return box.right > limit + 1 && box.width > 0 && !scroller;
    });
    return [
      ...(document.documentElement.scrollWidth > limit
        ? [`page ${document.documentElement.scrollWidth} px > ${limit} px`]
        : []),
      ...wide
        .slice(0, 5)
        .map(
          (e) =>
            `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)} px`,
        ),
    ];
  });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${state}-390.png`), fullPage: true });
  await page.setViewportSize(LAPTOP);
  await page.waitForTimeout(1500);
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${state}-1280.png`), fullPage: true });
  return overflow;
}

/** Which of the runs table's `headers` end beyond the right edge of its scroll box. */
async function columnsOutOfView(page: Page, headers: string[]): Promise<string[]> {
  return page.evaluate((names) => {
    const table = document.querySelector('table[aria-label="Runs"]');
    const box = table?.closest('.table-scroll')?.getBoundingClientRect();
    if (!table || !box) return ['the runs table'];
    const cells = [...table.querySelectorAll('th')];
    return names.filter((name) => {
      const cell = cells.find((th) => th.textContent?.trim().startsWith(name));
      return !cell || cell.getBoundingClientRect().right > box.right + 1;
    });
  }, headers);
}

/** Audits and lays out one state of the journey. */
async function checkState(page: Page, state: string): Promise<void> {
  expect(await seriousViolations(page), `axe, ${state}`).toEqual([]);
  expect(await layOut(page, state), `layout at 390 px, ${state}`).toEqual([]);
}

describe('usable by everyone', () => {
  test('every state passes axe (no serious or critical) and holds from 1280 to 390 px', async () => {
    // axe is injected as a script element, which the page's policy rightly refuses: this
    // context alone bypasses it (the policy has its own journey in first-minute.spec.ts).
    const app = await openApp(browser, baseUrl, '?backend=wasm', {
      bypassCSP: true,
      viewport: LAPTOP,
    });
    const { page } = app;
    try {
      await checkState(page, 'empty');

      await page.getByRole('button', { name: 'Try it with a sample' }).click();
      await expectCounts(page, { train: '5,000', test: '1,000' }, MINUTE_MS);
      await checkState(page, 'loaded');

      await page.getByLabel('Architecture', { exact: true }).selectOption('conv2-pool2');
      await page.getByLabel('Epochs', { exact: true }).fill('2');
      await page.getByLabel('Seed', { exact: true }).fill('1');
      await page.getByRole('button', { name: 'Train', exact: true }).click();
      await page
        .getByRole('status', { name: 'Checkpoint' })
        .filter({ hasText: 'Checkpoint after epoch 1' })
        .waitFor({ timeout: 5 * MINUTE_MS });
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.getByText(/^Paused/).waitFor({ timeout: MINUTE_MS });
      await checkState(page, 'training');

      await page.getByRole('button', { name: 'Continue' }).click();
      await waitForTestAccuracy(page, 5 * MINUTE_MS);
      await page
        .getByRole('figure', { name: 'Per-class accuracy chart' })
        .locator('canvas')
        .waitFor({ timeout: MINUTE_MS });
      await page.getByRole('button', { name: 'Run the six architectures' }).click();
      await checkState(page, 'finished');
      // checkState ends at the laptop's width, where the runs table shows Time and Backend
      // without scrolling (its panel takes the room of the page's margins).
      expect(await columnsOutOfView(page, ['Time', 'Backend'])).toEqual([]);
      await page.getByRole('button', { name: 'Cancel' }).click();

      await page.getByLabel('Model name').fill('accessible model');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page
        .getByRole('list', { name: 'Saved models' })
        .getByRole('listitem', { name: 'accessible model' })
        .waitFor({ timeout: MINUTE_MS });
      await checkState(page, 'models-listed');
      expect(app.consoleErrors).toEqual([]);
    } finally {
      await app.context.close();
    }
  });

  test('the whole journey from the keyboard alone, with a visible focus at every stop', async () => {
    const app = await openApp(browser, baseUrl, '?backend=wasm');
    const { page } = app;
    await app.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const downloads = collectDownloads(page, mkdtempSync(join(tmpdir(), 'fms-keyboard-')));
    try {
      await tabTo(page, 'Try it with a sample');
      await page.keyboard.press('Enter');
      await expectCounts(page, { train: '5,000', test: '1,000' }, MINUTE_MS);

      await tabTo(page, 'Architecture');
      await page.keyboard.press('Home'); // 1 · Conv64 → Pool4, the quickest
      await tabTo(page, 'Epochs');
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.type('1');
      await tabTo(page, 'Seed');
      await page.keyboard.type('1');
      await tabTo(page, 'Train');
      await page.keyboard.press('Enter');
      await waitForTestAccuracy(page, 5 * MINUTE_MS);
      expect(await page.getByLabel('Architecture', { exact: true }).inputValue()).toBe('conv1');

      // A chart downloads; the runs table is copied as Markdown, downloads as CSV, sorts and
      // picks a run; the model is saved and downloaded; Try it shows a test image's top 3.
      await tabTo(page, 'Download PNG: Loss per epoch');
      await page.keyboard.press('Enter');
      expect((await downloads.take(1)).map((file) => file.name)).toEqual(['loss.png']);
      await tabTo(page, 'Copy as Markdown');
      await page.keyboard.press('Enter');
      await page.getByText('Copied 1 run as a Markdown table.').waitFor({ timeout: MINUTE_MS });
      const markdown = await page.evaluate(() => navigator.clipboard.readText());
      expect(markdown.split('\n')[0]).toMatch(/^\| Run \| Model \| Parameters \|/);
      expect(markdown).toContain('| 1 | 1 · Conv64 → Pool4 |');
      await tabTo(page, 'Download CSV');
      await page.keyboard.press('Enter');
      const [runsCsv] = await downloads.take(1);
      expect(runsCsv.name).toBe('runs.csv');
      expect(readFileSync(runsCsv.path, 'utf8').trimEnd().split('\n')).toHaveLength(2);
      await tabTo(page, 'Test acc.');
      await page.keyboard.press('Enter');
      expect(
        await page
          .getByRole('table', { name: 'Runs' })
          .getByRole('columnheader', { name: 'Test acc.', exact: true })
          .getAttribute('aria-sort'),
      ).toBe('ascending');
      await tabTo(page, 'Compare run 1');
      await page.keyboard.press('Space');
      expect(await page.getByRole('checkbox', { name: 'Compare run 1' }).isChecked()).toBe(true);
      await tabTo(page, 'Model name');
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.type('keyboard model');
      await tabTo(page, 'Save');
      await page.keyboard.press('Enter');
      await panel(page, 'Keep the model')
        .getByRole('listitem', { name: 'keyboard model' })
        .waitFor({ timeout: MINUTE_MS });
      await tabTo(page, 'Download');
      await page.keyboard.press('Enter');
      expect((await downloads.take(3)).map((file) => file.name).sort()).toEqual([
        'keyboard-model.json',
        'keyboard-model.metadata.json',
        'keyboard-model.weights.bin',
      ]);

      await tabTo(page, 'Test image');
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.type('7');
      await tabTo(page, 'Show test image');
      await page.keyboard.press('Enter');
      const tryIt = panel(page, 'Try it');
      await tryIt
        .getByRole('img', { name: /^Model input, 28 × 28: test image 7 \(/ })
        .waitFor({ timeout: MINUTE_MS });
      const topClasses = tryIt.getByRole('list', { name: 'Top 3 classes' }).getByRole('listitem');
      await expect.poll(() => topClasses.count(), { timeout: MINUTE_MS }).toBe(3);
      for (const item of await topClasses.allInnerTexts()) {
        expect(item).toMatch(/^[A-Za-z/ -]+ — \d+\.\d%$/);
      }
      expect(app.consoleErrors).toEqual([]);
    } finally {
      await app.context.close();
    }
  });
  test('the live region speaks at a calm rate while a real run trains', async () => {
    const app = await openApp(browser, baseUrl, '?backend=wasm');
    const { page } = app;
    try {
      await page.getByRole('button', { name: 'Try it with a sample' }).click();
      await expectCounts(page, { train: '5,000', test: '1,000' }, MINUTE_MS);
      expect(await page.locator(ANNOUNCER).count()).toBe(1);
      await recordLiveTexts(page);
      await page.getByLabel('Architecture', { exact: true }).selectOption('conv1');
      await page.getByLabel('Epochs', { exact: true }).fill('2');
      await page.getByLabel('Seed', { exact: true }).fill('1');
      await page.getByRole('button', { name: 'Train', exact: true }).click();
      await waitForTestAccuracy(page, 5 * MINUTE_MS);
      // The last event waits out the quiet time after the one before it.
      await page.waitForTimeout(MIN_ANNOUNCEMENT_GAP_MS + 1000);

      const texts = await page.evaluate(() => (window as unknown as LiveTextLog).__liveTexts);
      const spoken = texts.filter((t) => t.region === 'announcer');
      const said = spoken.map((t) => t.text);
      expect(said[0]).toBe('Training started.');
      expect(said).toContainEqual(expect.stringMatching(/^Epoch 1 of 2 done: accuracy \d/));
      // Epoch 2's news and the finish can fall within one quiet time: then only the latest of
      // the two waiting, the finish, is said (as the announcer promises), so epoch 2 may not be.
      for (const text of said.slice(1, -1)) {
        expect(text).toMatch(/^Epoch [12] of 2 done: accuracy \d|of the run done\.$/);
      }
      expect(said.at(-1)).toMatch(/^Finished: test accuracy \d+\.\d\d%\.$/);
      const gaps = spoken.slice(1).map((t, i) => t.atMs - spoken[i].atMs);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(MIN_ANNOUNCEMENT_GAP_MS - COMMIT_SLACK_MS);
      const progress = spoken.filter((t) => / of the run done\.$/.test(t.text));
      for (const [i, later] of progress.slice(1).entries()) {
        expect(later.atMs - progress[i].atMs).toBeGreaterThanOrEqual(
          PROGRESS_ANNOUNCEMENT_INTERVAL_MS - COMMIT_SLACK_MS,
        );
      }
      // Meanwhile the visible status line changed several times a second: the region is calm
      // by design, not for want of news.
      const statusChanges = texts.filter((t) => t.region === 'status').length;
      expect(statusChanges).toBeGreaterThan(3 * spoken.length);
      console.log(
        `[live region] ${spoken.length} announcements, gaps ${gaps.map((g) => (g / 1000).toFixed(1)).join(', ')} s; ` +
          `status line: ${statusChanges} changes`,
      );
      expect(app.consoleErrors).toEqual([]);
    } finally {
      await app.context.close();
    }
  });
});

/** The announcer's live region (TrainingAnnouncer). */
const ANNOUNCER = 'main div.visually-hidden[aria-live="polite"]';
/**
 * The announcer decides on its clock and React commits the text a render later, so two commits
 * can be a little closer than the decisions were.
 */
const COMMIT_SLACK_MS = 250;

interface LiveTextLog {
  __liveTexts: { region: 'announcer' | 'status'; text: string; atMs: number }[];
}

/** From now on, records every new text of the live region and of the status line, with its time. */
async function recordLiveTexts(page: Page): Promise<void> {
  await page.evaluate((announcer) => {
    const log = window as unknown as LiveTextLog;
    log.__liveTexts = [];
    const last = { announcer: '', status: '' };
    const read = () => {
      const elements = {
        announcer: document.querySelector(announcer),
        status: document.querySelector('.training-progress [role="status"]'),
      };
      for (const region of ['announcer', 'status'] as const) {
        const text = elements[region]?.textContent?.trim() ?? '';
        if (text === last[region]) continue;
        last[region] = text;
        if (text) log.__liveTexts.push({ region, text, atMs: performance.now() });
      }
    };
    new MutationObserver(read).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  }, ANNOUNCER);
}

/** The focused element: its accessible name (roughly) and whether its focus ring shows. */
async function focused(page: Page): Promise<{ name: string; ring: string }> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (!element || element === document.body) return { name: '', ring: '' };
    const input = element as HTMLInputElement;
    const name = (
      element.getAttribute('aria-label') ??
      input.labels?.[0]?.textContent ??
      element.textContent ??
      ''
    ).trim();
    const style = getComputedStyle(element);
    const ring =
      style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2
        ? `${style.outlineWidth} ${style.outlineStyle} ${style.outlineColor}`
        : '';
    return { name, ring };
  });
}

/** Presses Tab (only) until the control named `name` has the focus; each stop must show it. */
async function tabTo(page: Page, name: string, maxPresses = 250): Promise<void> {
  for (let press = 0; press < maxPresses; press++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (now.name === '') continue;
    expect(now.ring, `focus ring on "${now.name}"`).not.toBe('');
    if (now.name === name) return;
  }
  throw new Error(`"${name}" was not reached with Tab`);
}
