#!/usr/bin/env node
/**
 * The command line's training speed next to the tab's, in one run: the same seeded run (seed
 * CNN, WASM, the 2,000-row subsets, batch 64) once in the built app in a tab (worker, live
 * charts on, driven as a person would) and once through `npm run train`, alternating which goes
 * first. Both figures are the engine's own samples/s of the run's last batch (the number the
 * tab's status line shows and the command writes to metrics.json).
 *
 *   node bench/cli-vs-tab.mjs [--epochs N (default 2)] [--repeats N (default 2)]
 *
 * Builds dist/ first when it has no host page. Results: printed, and bench/results/cli-vs-tab.json.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/support/chromium-options.mjs';
import { ensureCsvFixture } from '../tests/support/csv-fixtures.mjs';
import { openAppWithSubset, samplesPerSecShown } from './app-session.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'bench', 'results');
const RUN_TIMEOUT_MS = 60 * 60_000;
const SEED = 1;
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const EPOCHS = arg('--epochs', 2);
const REPEATS = arg('--repeats', 2);

/** The middle value (the mean of the two middle ones for an even count). */
function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The run in the built app in a fresh tab; the status line's samples/s at its end. */
async function runInTab(browser, appUrl, files) {
  const page = await openAppWithSubset(browser, appUrl, '?backend=wasm', files, {
    epochs: EPOCHS,
    seed: SEED,
  });
  try {
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page.getByText(/^Test accuracy: /).waitFor({ timeout: RUN_TIMEOUT_MS });
    return await samplesPerSecShown(page);
  } finally {
    await page.close();
  }
}

/** The same run through the command line; samples/s from its metrics.json. */
function runInCli(files) {
  const outDir = join(mkdtempSync(join(tmpdir(), 'fms-bench-cli-')), 'run');
  const args = [
    'cli/train.mjs',
    '--path',
    files[0],
    '--path',
    files[1],
    '--epochs',
    String(EPOCHS),
  ];
  args.push('--seed', String(SEED), '--backend', 'wasm', '--out', outDir);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => {
      if (status !== 0) {
        reject(new Error(`npm run train exited with ${status}: ${stderr}`));
        return;
      }
      const metrics = JSON.parse(readFileSync(join(outDir, 'metrics.json'), 'utf8'));
      resolvePromise(metrics.training.samplesPerSecond);
    });
  });
}

async function main() {
  if (!existsSync(join(ROOT, 'dist', 'src', 'app', 'cli-host.html'))) {
    await build({ root: ROOT, configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
  }
  const { trainCsv, testCsv } = await ensureCsvFixture('subset');
  const files = [trainCsv, testCsv];
  const server = await preview({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port: 0 },
  });
  const appUrl = `http://127.0.0.1:${server.httpServer.address().port}/`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const rows = [];
  try {
    for (let i = 0; i < REPEATS; i++) {
      const order = i % 2 === 0 ? ['tab', 'cli'] : ['cli', 'tab'];
      const row = { repeat: i + 1, first: order[0] };
      for (const where of order) {
        const samplesPerSec =
          where === 'tab' ? await runInTab(browser, appUrl, files) : await runInCli(files);
        row[`${where} samples/s`] = Number(samplesPerSec.toFixed(1));
      }
      row['cli / tab'] = Number((row['cli samples/s'] / row['tab samples/s']).toFixed(3));
      rows.push(row);
    }
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(
    `\nSeed CNN, WASM in the worker, ${EPOCHS} epochs of 1,600 images (2,000-row subset), batch 64, seed ${SEED}:`,
  );
  console.table(rows);
  const tab = median(rows.map((r) => r['tab samples/s']));
  const cli = median(rows.map((r) => r['cli samples/s']));
  console.log(
    `median samples/s: tab ${tab.toFixed(1)}, command line ${cli.toFixed(1)} ` +
      `(command line / tab ${(cli / tab).toFixed(3)})`,
  );
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(
    join(OUT_DIR, 'cli-vs-tab.json'),
    JSON.stringify({ date: new Date().toISOString(), epochs: EPOCHS, rows }, null, 2),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
