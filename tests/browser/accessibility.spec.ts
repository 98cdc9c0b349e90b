/**
 * Usable by everyone, in real Chromium on the production build. axe-core audits every state of
 * the journey (empty, loaded, training, finished, models listed) with no serious or critical
 * violation; each state is laid out at a 1280-px laptop and a 390-px phone with nothing wider
 * than the screen (screenshots in test-results/layout/, looked at when the layout changes);
 * and the whole journey runs from the keyboard alone, every stop showing a visible focus ring.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { PROJECT_ROOT } from '../support/fixtures';
import { collectDownloads, expectCounts, panel, waitForTestAccuracy } from './app-driver';
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

      // A chart downloads, the runs table sorts, a run is picked, the model is saved.
      await tabTo(page, 'Download PNG: Loss per epoch');
      await page.keyboard.press('Enter');
      expect((await downloads.take(1)).map((file) => file.name)).toEqual(['loss.png']);
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
      expect(app.consoleErrors).toEqual([]);
    } finally {
      await app.context.close();
    }
  });
});

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
