#!/usr/bin/env node
/**
 * Benchmarks, side by side in one run (the machine is shared and noisy, so only ratios measured
 * together mean much). Builds bench pages with Vite's production settings, serves them and the
 * app's production build locally, and drives Debian's Chromium headless.
 *
 *   npm run bench                        everything below
 *   npm run bench -- --only ingest       app loader vs papaparse, both full CSVs
 *   npm run bench -- --only training     seed CNN samples/s per backend and batch size:
 *                                        app loop vs bare trainOnBatch, same page
 *   npm run bench -- --only app          the built app in a tab (worker, WASM): with and
 *                                        without live charts
 *   --backends wasm,webgl,cpu            training backends to run (default all three)
 *   --repeats N                          repeats for ingest and app (default 3 and 2)
 * Results: printed, and written to bench/results/*.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/support/chromium-options.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'bench', 'results');
const DATA_DIR = resolve(
  process.env.FASHION_MNIST_DIR ?? join(ROOT, '../shared/data/fashion-mnist'),
);
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const ONLY = arg('--only');
const REPEATS = arg('--repeats') ? Number(arg('--repeats')) : undefined;
const LONG_TIMEOUT_MS = 60 * 60_000;

/** Kaggle-layout CSVs made from the real dataset into the ignored .fixtures/ folder. */
function csvs(set, limit) {
  const dir = join(ROOT, '.fixtures', set);
  const train = join(dir, 'fashion-mnist_train.csv');
  const test = join(dir, 'fashion-mnist_test.csv');
  if (!existsSync(test)) {
    mkdirSync(dir, { recursive: true });
    const limitArgs = limit ? ['--limit', String(limit)] : [];
    execFileSync(
      process.execPath,
      [join(DATA_DIR, 'make-csv.mjs'), dir, '--data', DATA_DIR, ...limitArgs],
      { stdio: 'inherit' },
    );
  }
  return [train, test];
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Builds the bench pages and serves them; returns the base URL and a close function. */
async function serveBenchPages() {
  const distDir = join(OUT_DIR, 'dist');
  await build({
    root: join(ROOT, 'bench'),
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: {
      outDir: distDir,
      emptyOutDir: true,
      rollupOptions: {
        input: [join(ROOT, 'bench', 'ingest.html'), join(ROOT, 'bench', 'training.html')],
      },
    },
  });
  return serve(join(ROOT, 'bench'), distDir);
}

async function serve(root, outDir) {
  const server = await preview({
    root,
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0 },
  });
  const { port } = server.httpServer.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}

async function benchIngest(browser, baseUrl) {
  const repeats = REPEATS ?? 3;
  const page = await browser.newPage();
  await page.goto(`${baseUrl}ingest.html?repeats=${repeats}`);
  await page.locator('#files').setInputFiles(csvs('full'));
  await page.waitForFunction(() => window.__ingestBench?.done === true, null, {
    timeout: LONG_TIMEOUT_MS,
    polling: 1000,
  });
  const bench = await page.evaluate(() => window.__ingestBench);
  await page.close();
  if (bench.error) throw new Error(bench.error);
  const byMethod = new Map();
  for (const r of bench.results) byMethod.set(r.method, [...(byMethod.get(r.method) ?? []), r]);
  const summary = [...byMethod].map(([method, rs]) => ({
    method,
    rows: rs[0].rows,
    medianMs: Math.round(median(rs.map((r) => r.ms))),
    runsMs: rs.map((r) => Math.round(r.ms)).join(', '),
    medianHeapDeltaMb: Math.round(median(rs.map((r) => r.heapDeltaMb))),
  }));
  const app = summary.find((s) => s.method.startsWith('app'));
  const papa = summary.find((s) => s.method.startsWith('papaparse'));
  console.log('\nIngest, both full Kaggle CSVs (60,000 + 10,000 rows, 155 MB):');
  console.table(summary);
  console.log(`app loader speed-up over papaparse: ${(papa.medianMs / app.medianMs).toFixed(1)}×`);
  writeFileSync(
    join(OUT_DIR, 'ingest.json'),
    JSON.stringify(
      { date: new Date().toISOString(), repeats, summary, runs: bench.results },
      null,
      2,
    ),
  );
}

/** What runs per backend: SwiftShader WebGL and the cpu backend are slow, so few batches. */
const TRAINING_PLAN = [
  { backend: 'wasm', batchSize: 64, batches: 12 },
  { backend: 'wasm', batchSize: 256, batches: 4 },
  { backend: 'webgl', batchSize: 64, batches: 2, convGradientRewrite: true },
  { backend: 'webgl', batchSize: 64, batches: 2, convGradientRewrite: false },
  { backend: 'webgl', batchSize: 256, batches: 1, convGradientRewrite: true },
  { backend: 'cpu', batchSize: 64, batches: 1, convGradientRewrite: true },
];

async function benchTraining(browser, baseUrl) {
  const page = await browser.newPage();
  const backends = (arg('--backends') ?? 'wasm,webgl,cpu').split(',');
  const chosen = TRAINING_PLAN.filter((item) => backends.includes(item.backend));
  const plan = encodeURIComponent(JSON.stringify(chosen));
  await page.goto(`${baseUrl}training.html?plan=${plan}`);
  await page.locator('#files').setInputFiles(csvs('subset', 2000)[0]);
  await page.waitForFunction(() => window.__trainingBench?.done === true, null, {
    timeout: LONG_TIMEOUT_MS,
    polling: 1000,
  });
  const bench = await page.evaluate(() => window.__trainingBench);
  await page.close();
  const rows = bench.results.map((r) => ({
    backend: r.backendInfo,
    batch: r.batchSize,
    timedBatches: r.batches,
    convRewrite: r.convGradientRewrite,
    'bare samples/s': Number(r.bareSamplesPerSec.toFixed(2)),
    'app samples/s': Number(r.appSamplesPerSec.toFixed(2)),
    'app overhead': `${(r.appOverhead * 100).toFixed(1)}%`,
    'GFLOP/s': Number(r.gflopsPerSec.toFixed(2)),
  }));
  console.log('\nSeed CNN training, main thread of the bench page, Adam, real images:');
  console.table(rows);
  if (bench.error) console.log(`stopped early: ${bench.error}`);
  writeFileSync(
    join(OUT_DIR, 'training.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        plan: TRAINING_PLAN,
        results: bench.results,
        error: bench.error,
      },
      null,
      2,
    ),
  );
}

/** The built app in a tab: 1 epoch of the seed CNN on WASM in the worker, charts on and off. */
async function benchApp(browser) {
  if (!existsSync(join(ROOT, 'dist', 'index.html'))) throw new Error('run vite build first');
  const app = await serve(ROOT, join(ROOT, 'dist'));
  const repeats = REPEATS ?? 2;
  const results = [];
  try {
    for (let i = 0; i < repeats; i++) {
      for (const charts of i % 2 === 0 ? [true, false] : [false, true]) {
        const page = await browser.newPage();
        await page.goto(`${app.url}?backend=wasm${charts ? '' : '&charts=0'}`);
        await page.getByLabel('Dataset files').setInputFiles(csvs('subset', 2000));
        await page.getByText('Test set: 2,000 images').waitFor({ timeout: 60_000 });
        await page.getByLabel('Epochs').fill('1');
        await page.getByLabel('Seed').fill('1');
        await page.evaluate(() => {
          window.__longTasks = [];
          new PerformanceObserver((list) => {
            for (const e of list.getEntries()) window.__longTasks.push(e.duration);
          }).observe({ type: 'longtask' });
        });
        await page.getByRole('button', { name: 'Train' }).click();
        await page.getByText(/^Test accuracy: /).waitFor({ timeout: LONG_TIMEOUT_MS });
        const status = await page.locator('.training-progress [role="status"]').innerText();
        const samplesPerSec = Number(/([\d.]+) samples\/s/.exec(status)[1]);
        const longTasks = await page.evaluate(() => window.__longTasks);
        results.push({
          charts,
          samplesPerSec,
          longTasksOver50ms: longTasks.length,
          longestTaskMs: Math.round(Math.max(0, ...longTasks)),
        });
        await page.close();
      }
    }
  } finally {
    await app.close();
  }
  const withCharts = median(results.filter((r) => r.charts).map((r) => r.samplesPerSec));
  const without = median(results.filter((r) => !r.charts).map((r) => r.samplesPerSec));
  console.log(
    '\nThe app in a tab: seed CNN, WASM in the worker, 1 epoch of 1,600 images, batch 64:',
  );
  console.table(results);
  console.log(
    `median samples/s with live charts ${withCharts}, without ${without}: charts cost ${((without / withCharts - 1) * 100).toFixed(1)}%`,
  );
  writeFileSync(
    join(OUT_DIR, 'app.json'),
    JSON.stringify({ date: new Date().toISOString(), results }, null, 2),
  );
}

async function main() {
  mkdirSync(OUT_DIR, { recursive: true });
  const pages = ONLY === 'app' ? null : await serveBenchPages();
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    if (!ONLY || ONLY === 'ingest') await benchIngest(browser, pages.url);
    if (!ONLY || ONLY === 'training') await benchTraining(browser, pages.url);
    if (!ONLY || ONLY === 'app') await benchApp(browser);
  } finally {
    await browser.close();
    await pages?.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
