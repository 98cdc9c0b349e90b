/**
 * Starts Debian's Chromium through playwright-core (no downloaded browser) and watches what a
 * page does that a person could not see: requests leaving the app's origin, console errors,
 * long main-thread tasks.
 */
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium-options.mjs';

export async function launchChromium(): Promise<Browser> {
  // launch() gives every browser a fresh temporary profile of its own.
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/**
 * One Chromium for a spec file: launched before its first test, closed after its last. Call at
 * the top level of the file; the getter returns the browser inside tests.
 */
export function chromiumForFile(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser)
      throw new Error(
        'Chromium is not running: call chromiumForFile() at the top level of the spec file',
      );
    return browser;
  };
}

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested outside the app's own origin (data: and blob: are local). */
  foreignRequests: string[];
  consoleErrors: string[];
  /** Longest main-thread task since load or the last reset, ms (≥ 50 ms only; else 0). */
  longestTaskMs: () => Promise<number>;
  /** All long tasks since load or the last reset, ms. */
  longTasksMs: () => Promise<number[]>;
  /** Forgets the long tasks seen so far (for example once the page has loaded). */
  resetLongTasks: () => Promise<void>;
  /**
   * Every Content-Security-Policy violation the page's document reported since load
   * (`securitypolicyviolation` events: directive, blocked URL, source). Workers report theirs to
   * their own global, not here; what the policy stops in a worker surfaces as its error.
   */
  policyViolations: () => Promise<string[]>;
}

export async function openApp(
  browser: Browser,
  baseUrl: string,
  query = '',
  /** More context options (a viewport; `bypassCSP` to inject a test library such as axe). */
  contextOptions: BrowserContextOptions = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({ acceptDownloads: true, ...contextOptions });
  const page = await context.newPage();
  const origin = new URL(baseUrl).origin;
  const foreignRequests: string[] = [];
  const consoleErrors: string[] = [];
  context.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:') || url.startsWith('blob:')) return;
    if (new URL(url).origin !== origin) foreignRequests.push(url);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
  await page.addInitScript(() => {
    const v = window as unknown as { __policyViolations: string[] };
    v.__policyViolations = [];
    document.addEventListener('securitypolicyviolation', (event) =>
      v.__policyViolations.push(
        `${event.effectiveDirective} blocked ${event.blockedURI} at ` +
          `${event.sourceFile}:${event.lineNumber} ${event.sample}`,
      ),
    );
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: number[] };
    w.__longTasks = [];
    try {
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.__longTasks.push(entry.duration);
      }).observe({ type: 'longtask', buffered: true });
    } catch {
      // Long-task timing is a Chromium feature; other browsers simply report nothing.
    }
  });
  await page.goto(baseUrl + query);
  return {
    context,
    page,
    foreignRequests,
    consoleErrors,
    longestTaskMs: () =>
      page.evaluate(() => {
        const tasks = (window as unknown as { __longTasks: number[] }).__longTasks;
        return tasks.length === 0 ? 0 : Math.max(...tasks);
      }),
    longTasksMs: () =>
      page.evaluate(() =>
        (window as unknown as { __longTasks: number[] }).__longTasks.map(Math.round),
      ),
    resetLongTasks: () =>
      page.evaluate(() => {
        (window as unknown as { __longTasks: number[] }).__longTasks.length = 0;
      }),
    policyViolations: () =>
      page.evaluate(() => [
        ...(window as unknown as { __policyViolations: string[] }).__policyViolations,
      ]),
  };
}
