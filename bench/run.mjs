#!/usr/bin/env node
/**
 * Benchmarks, side by side in one run (the machine is shared and noisy, so only ratios measured
 * together mean much). Builds bench pages with Vite's production settings, serves them locally
 * and drives Debian's Chromium headless.
 *
 *   npm run bench                 ingest: app loader vs papaparse on both full CSVs
 *   npm run bench -- --repeats 5
 * Results: printed, and written to bench/results/*.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'bench', 'results');
const DATA_DIR = resolve(
  process.env.FASHION_MNIST_DIR ?? join(ROOT, '../shared/data/fashion-mnist'),
);
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const repeatsArg = process.argv.indexOf('--repeats');
const REPEATS = repeatsArg > 0 ? Number(process.argv[repeatsArg + 1]) : 3;

function fullCsvs() {
  const dir = join(ROOT, '.fixtures', 'full');
  const train = join(dir, 'fashion-mnist_train.csv');
  const test = join(dir, 'fashion-mnist_test.csv');
  if (!existsSync(test)) {
    mkdirSync(dir, { recursive: true });
    execFileSync(process.execPath, [join(DATA_DIR, 'make-csv.mjs'), dir, '--data', DATA_DIR], {
      stdio: 'inherit',
    });
  }
  return [train, test];
}

async function main() {
  mkdirSync(OUT_DIR, { recursive: true });
  const distDir = join(OUT_DIR, 'dist');
  await build({
    root: join(ROOT, 'bench'),
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: {
      outDir: distDir,
      emptyOutDir: true,
      rollupOptions: { input: join(ROOT, 'bench', 'ingest.html') },
    },
  });
  const server = await preview({
    root: join(ROOT, 'bench'),
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: distDir },
    preview: { host: '127.0.0.1', port: 0 },
  });
  const { port } = server.httpServer.address();
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--enable-precise-memory-info',
    ],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/ingest.html?repeats=${REPEATS}`);
    await page.locator('#files').setInputFiles(fullCsvs());
    await page.waitForFunction(() => window.__ingestBench?.done === true, null, {
      timeout: 30 * 60_000,
      polling: 1000,
    });
    const bench = await page.evaluate(() => window.__ingestBench);
    if (bench.error) throw new Error(bench.error);
    const byMethod = new Map();
    for (const r of bench.results) byMethod.set(r.method, [...(byMethod.get(r.method) ?? []), r]);
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const summary = [...byMethod].map(([method, rs]) => ({
      method,
      rows: rs[0].rows,
      medianMs: Math.round(median(rs.map((r) => r.ms))),
      runsMs: rs.map((r) => Math.round(r.ms)),
      medianHeapDeltaMb: Math.round(median(rs.map((r) => r.heapDeltaMb))),
    }));
    const app = summary.find((s) => s.method.startsWith('app'));
    const papa = summary.find((s) => s.method.startsWith('papaparse'));
    console.log(
      '\nIngest, both full Kaggle CSVs (60,000 + 10,000 rows, 155 MB), headless Chromium:',
    );
    console.table(summary);
    console.log(
      `speed-up of the app loader over papaparse's default parse: ${(papa.medianMs / app.medianMs).toFixed(1)}×`,
    );
    writeFileSync(
      join(OUT_DIR, 'ingest.json'),
      JSON.stringify(
        { date: new Date().toISOString(), repeats: REPEATS, summary, runs: bench.results },
        null,
        2,
      ),
    );
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
