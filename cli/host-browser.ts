/**
 * Headless Chromium with the host page of the production build, served locally with the
 * cross-origin isolation headers (so WASM trains on threads), as the browser tests launch it.
 * Node talks to the page through one exposed binding (page → Node) and `page.evaluate`
 * (Node → page); see src/app/cli-host-protocol.ts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import {
  CLI_HOST_GLOBAL,
  CLI_REPORT_BINDING,
  type CliHostMessage,
  type CliRunConfig,
} from '../src/app/cli-host-protocol';
import { CHROMIUM_PATH, COMMAND_CHROMIUM_ARGS } from './chromium-options.mjs';
import { HOST_PAGE_PATH } from './production-build';
import { UsageError } from './usage-error';

/** Device pixels per CSS pixel of the host page: the chart images are drawn at twice their size. */
const CHART_DEVICE_SCALE = 2;
const HOST_READY_TIMEOUT_MS = 60_000;

export interface HostPage {
  /** Chooses `files` in the page and starts the run; its messages go to `onMessage`. */
  start(config: CliRunConfig, files: string[]): Promise<void>;
  /** Asks the run to stop at its next batch boundary. */
  stop(): Promise<void>;
  /** Closes Chromium and the local server. */
  close(): Promise<void>;
}

/** One clear line, exit status 2, when Chromium is not where CHROMIUM_PATH says. */
export function assertChromiumPresent(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new UsageError(
      `Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  }
}

async function serveDist(root: string): Promise<{ server: PreviewServer; url: string }> {
  const server = await preview({
    root,
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('The local server has no port');
  return { server, url: `http://127.0.0.1:${address.port}/` };
}

async function launchBrowser(): Promise<Browser> {
  try {
    // Ctrl-C is ours to handle (stop at a batch boundary, keep the checkpoint), not playwright's.
    return await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      // The GPU stays on: a long run on a machine with one is what WebGL is for. Without a
      // GPU, Chromium's software renderer is used, which `auto` passes over (docs/backends.md).
      args: COMMAND_CHROMIUM_ARGS,
      handleSIGINT: false,
    });
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UsageError(`Chromium at ${CHROMIUM_PATH} did not start: ${detail}`);
  }
}

/** What the command hears from Chromium besides the run's messages. */
export interface HostWatchers {
  /** Page errors and console errors, for stderr: they explain a run that fails. */
  warn(line: string): void;
  /** The page or Chromium went away during the run: no message will come. */
  lose(why: string): void;
}

function watchPage(browser: Browser, page: Page, watchers: HostWatchers): { isClosing: boolean } {
  const state = { isClosing: false };
  page.on('pageerror', (error) => watchers.warn(`Host page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') watchers.warn(`Host page: ${message.text()}`);
  });
  page.on('crash', () => watchers.lose('the host page crashed (out of memory?)'));
  browser.on('disconnected', () => {
    if (!state.isClosing) watchers.lose('Chromium exited');
  });
  return state;
}

/** Starts the server and Chromium and opens the host page, ready for `start`. */
export async function openHostPage(
  root: string,
  onMessage: (message: CliHostMessage) => Promise<void>,
  watchers: HostWatchers,
): Promise<HostPage> {
  const { server, url } = await serveDist(root);
  let browser: Browser | null = null;
  try {
    browser = await launchBrowser();
    const context = await browser.newContext({ deviceScaleFactor: CHART_DEVICE_SCALE });
    const page = await context.newPage();
    const watching = watchPage(browser, page, watchers);
    await page.exposeBinding(CLI_REPORT_BINDING, (_source, message: CliHostMessage) =>
      onMessage(message),
    );
    await page.goto(`${url}${HOST_PAGE_PATH}`);
    await page.waitForFunction((name) => name in window, CLI_HOST_GLOBAL, {
      timeout: HOST_READY_TIMEOUT_MS,
    });
    const opened = browser;
    return {
      async start(config, files) {
        await page.locator('#dataset-files').setInputFiles(files);
        await page.evaluate(
          ([name, runConfig]) => window[name as typeof CLI_HOST_GLOBAL]?.start(runConfig),
          [CLI_HOST_GLOBAL, config] as const,
        );
      },
      async stop() {
        await page.evaluate(
          (name) => window[name as typeof CLI_HOST_GLOBAL]?.stop(),
          CLI_HOST_GLOBAL,
        );
      },
      async close() {
        watching.isClosing = true;
        await opened.close().catch(() => undefined);
        await server.close();
      },
    };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await server.close();
    throw error;
  }
}
