#!/usr/bin/env node
/**
 * Benchmarks, side by side in one run (the machine is shared and noisy, so only ratios measured
 * together mean much). Builds bench pages with Vite's production settings, serves them and the
 * app's production build locally, and drives Debian's Chromium headless.
 *
 *   npm run bench                        everything below
 *   npm run bench -- --only ingest       app loader vs papaparse on both full CSVs, the
 *                                        loader on the 4 IDX .gz files, and the peak JS heap
 *                                        of page + ingest worker (CDP) for each; growable vs
 *                                        upper-bound output arrays side by side
 *                                        (--skip-papaparse leaves out the slow baseline)
 *   npm run bench -- --only training     seed CNN samples/s per backend and batch size:
 *                                        app loop vs bare trainOnBatch, same page
 *   npm run bench -- --only app          the built app in a tab (worker, WASM): with and
 *                                        without live charts
 *   npm run bench -- --only responsiveness   the built app training (WASM) on the worker vs
 *                                        the main-thread path: long tasks, frame intervals
 *   npm run bench -- --only memory       the built app training 3 epochs in the worker: peak
 *                                        heap of page and worker, tfjs tensors at epoch ends
 *   npm run bench -- --only background   the built app training (WASM, worker) with its tab
 *                                        in front vs hidden behind another: samples/s,
 *                                        main-thread busy %
 *   npm run bench -- --only kernels      our 3×3 convolution kernels (SIMD128, relaxed SIMD,
 *                                        1 and 2 threads) vs today's WASM path vs stock tfjs
 *                                        WASM vs native PyTorch: app-loop samples/s at batch
 *                                        64 and 256, conv2 GFLOP/s per pass, epoch time
 *                                        (bench/conv-kernels.mjs; --rounds N (default 3),
 *                                        --samples N timed per item (1024), --torch-seconds
 *                                        S per PyTorch batch size (20), --configs a,b,
 *                                        --pass-repeats N for conv2's passes (5),
 *                                        --algorithm-repeats N: every algorithm forced for
 *                                        conv2's passes and conv1's forward (0: none))
 *   npm run bench -- --only kernels-tab  our kernels in the built app as a user runs it:
 *                                        the page's samples/s over 4 epochs of 1,600 images
 *                                        at batch 64 and 256, kernels on and off
 *                                        (?wasmConvKernels=), alternating with native PyTorch
 *                                        (bench/conv-kernels-tab.mjs; --rounds N (2),
 *                                        --configs relaxed,simd128,off (relaxed,off),
 *                                        --epochs N (4), --torch-seconds S (20))
 *   npm run bench -- --only kernels-epoch   the wait for one full epoch in the built app,
 *                                        Train to epoch 1 done, kernels on and off:
 *                                        --epoch-data full (48,000 + 12,000 images from
 *                                        the four IDX files; default) or subset (1,600 +
 *                                        400, a quick check), --rounds N (1), --configs
 *                                        (relaxed,off)
 *   npm run bench -- --only startup      dist/ bundle sizes raw and gzip, first screen vs
 *                                        lazy; time to interactive over cold loads
 *   --backends wasm,webgl,cpu            training backends to run (default all three)
 *   --app-dist DIR                       the app build --only app, background, kernels-tab
 *                                        and kernels-epoch measure (default dist/)
 *   --repeats N                          repeats for ingest, app, startup and
 *                                        responsiveness (default 3, 2, 7 and 2); rounds
 *                                        for background (2)
 * Results: printed, and written to bench/results/*.json.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/support/chromium-options.mjs';
import { DATASET_DIR, ensureCsvFixture } from '../tests/support/csv-fixtures.mjs';
import { benchMemory } from './app-memory.mjs';
import { benchBackgroundTab } from './background-tab.mjs';
import { KERNEL_CONFIGS, benchConvKernels } from './conv-kernels.mjs';
import { benchEpochWait, benchKernelsInTab } from './conv-kernels-tab.mjs';
import { benchResponsiveness } from './app-responsiveness.mjs';
import { peakHeapGrowth, startHeapSampler } from './heap-sampler.mjs';
import { bundleSizes, timeToInteractive } from './startup-bench.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'bench', 'results');
const DATA_DIR = DATASET_DIR;
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const ONLY = arg('--only');
const REPEATS = arg('--repeats') ? Number(arg('--repeats')) : undefined;
/** Another build of the app for --only app (e.g. a before/after pair built with --outDir). */
const APP_DIST = arg('--app-dist');
const LONG_TIMEOUT_MS = 60 * 60_000;

/** Kaggle-layout CSVs made from the real dataset into the ignored .fixtures/ folder. */
async function csvs(set) {
  const { trainCsv, testCsv } = await ensureCsvFixture(set);
  return [trainCsv, testCsv];
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

/** The four official IDX files (gzipped), as the app's users get them. */
const IDX_FILES = [
  'train-images-idx3-ubyte.gz',
  'train-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz',
];

/**
 * App loader (growable arrays, and upper-bound arrays for comparison) vs
 * papaparse on both full CSVs, the loader on the four IDX .gz files, and the peak JS heap of
 * page + ingest worker during each (sampled over CDP, see heap-sampler.mjs).
 */
async function benchIngest(browser, baseUrl) {
  const repeats = REPEATS ?? 3;
  const skipPapaparse = process.argv.includes('--skip-papaparse');
  const page = await browser.newPage();
  await page.goto(`${baseUrl}ingest.html`);
  await page.locator('#files').setInputFiles(await csvs('full'));
  await page.locator('#idx-files').setInputFiles(IDX_FILES.map((name) => join(DATA_DIR, name)));
  const sampler = await startHeapSampler(page);
  await page.evaluate((options) => window.__startIngestBench(options), { repeats, skipPapaparse });
  await page.waitForFunction(() => window.__ingestBench?.done === true, null, {
    timeout: LONG_TIMEOUT_MS,
    polling: 1000,
  });
  const samples = await sampler.stop();
  const bench = await page.evaluate(() => window.__ingestBench);
  await page.close();
  if (bench.error) throw new Error(bench.error);
  const runs = bench.results.map((r) => ({
    ...r,
    peakHeap: peakHeapGrowth(samples, r.startEpochMs, r.endEpochMs),
  }));
  const byMethod = new Map();
  for (const r of runs) byMethod.set(r.method, [...(byMethod.get(r.method) ?? []), r]);
  const peak = (rs, key) => Math.round(median(rs.map((r) => r.peakHeap?.[key] ?? NaN)));
  const summary = [...byMethod].map(([method, rs]) => ({
    method,
    rows: rs[0].rows,
    medianMs: Math.round(median(rs.map((r) => r.ms))),
    runsMs: rs.map((r) => Math.round(r.ms)).join(', '),
    'peak worker heap MB': peak(rs, 'workersMb'),
    'peak page heap MB': peak(rs, 'pageMb'),
    'peak page+worker MB': peak(rs, 'totalMb'),
    'page heap after MB': Math.round(median(rs.map((r) => r.heapDeltaMb))),
  }));
  const find = (prefix) => summary.find((s) => s.method.startsWith(prefix));
  const app = find('app loader, CSV (worker, growable');
  const before = find('app loader, CSV (worker, upper-bound');
  const papa = find('papaparse');
  console.log('\nIngest, both full Kaggle CSVs (60,000 + 10,000 rows, 155 MB; arrays 55 MB):');
  console.table(summary);
  if (papa) {
    console.log(
      `app loader speed-up over papaparse: ${(papa.medianMs / app.medianMs).toFixed(1)}×`,
    );
  }
  console.log(
    `growable vs upper-bound arrays: time ${(app.medianMs / before.medianMs).toFixed(2)}×, ` +
      `peak page+worker heap ${app['peak page+worker MB']} vs ${before['peak page+worker MB']} MB`,
  );
  writeFileSync(
    join(OUT_DIR, 'ingest.json'),
    JSON.stringify({ date: new Date().toISOString(), repeats, summary, runs }, null, 2),
  );
  writeFileSync(join(OUT_DIR, 'ingest-heap-samples.json'), JSON.stringify(samples));
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
  await page.locator('#files').setInputFiles((await csvs('subset'))[0]);
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
  const distDir = APP_DIST ? resolve(APP_DIST) : join(ROOT, 'dist');
  if (!existsSync(join(distDir, 'index.html'))) throw new Error('run vite build first');
  const app = await serve(ROOT, distDir);
  const repeats = REPEATS ?? 2;
  const results = [];
  try {
    for (let i = 0; i < repeats; i++) {
      for (const charts of i % 2 === 0 ? [true, false] : [false, true]) {
        const page = await browser.newPage();
        await page.goto(`${app.url}?backend=wasm${charts ? '' : '&charts=0'}`);
        await page.getByLabel('Dataset files').setInputFiles(await csvs('subset'));
        await page.getByText('Test set: 2,000 images').waitFor({ timeout: 60_000 });
        await page.getByLabel('Epochs').fill('1');
        await page.getByLabel('Seed').fill('1');
        await page.evaluate(() => {
          window.__longTasks = [];
          new PerformanceObserver((list) => {
            for (const e of list.getEntries()) {
              window.__longTasks.push({ startMs: e.startTime, durationMs: e.duration });
            }
          }).observe({ type: 'longtask' });
          // Runs at the end of the task that adds the results panel, so that task ends after it.
          const panelObserver = new MutationObserver(() => {
            if (!document.querySelector('section[aria-label="Evaluation"]')) return;
            window.__resultsShownMs = performance.now();
            panelObserver.disconnect();
          });
          panelObserver.observe(document.body, { childList: true, subtree: true });
        });
        await page.getByRole('button', { name: 'Train', exact: true }).click();
        await page.getByText(/^Test accuracy: /).waitFor({ timeout: LONG_TIMEOUT_MS });
        // The results panel draws its confusion matrix after the headline: wait for it, then
        // for a quiet second, so tasks of the first results render are counted too.
        await page
          .getByRole('figure', { name: /Confusion matrix/ })
          .locator('canvas, svg')
          .first()
          .waitFor({ timeout: 60_000 });
        await page.waitForTimeout(1000);
        const status = await page.locator('.training-progress [role="status"]').innerText();
        const samplesPerSec = Number(/([\d.]+) samples\/s/.exec(status)[1]);
        const longTasks = await page.evaluate(() => window.__longTasks);
        const resultsShownMs = await page.evaluate(() => window.__resultsShownMs);
        const durations = (tasks) => tasks.map((t) => Math.round(t.durationMs));
        const isResults = (t) => t.startMs + t.durationMs >= resultsShownMs;
        results.push({
          charts,
          samplesPerSec,
          longTasksOver50ms: longTasks.length,
          longestTaskMs: Math.round(Math.max(0, ...durations(longTasks))),
          'training tasks >50 ms': durations(longTasks.filter((t) => !isResults(t))).join(' '),
          'results tasks >50 ms': durations(longTasks.filter(isResults)).join(' '),
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

/** Production bundle sizes (first screen vs lazy) and time to interactive on cold loads. */
async function benchStartup(browser) {
  const distDir = join(ROOT, 'dist');
  if (!existsSync(join(distDir, 'index.html'))) throw new Error('run vite build first');
  const sizes = bundleSizes(distDir);
  console.log('\nProduction bundle (dist/), per file, KiB:');
  console.table(sizes.rows);
  console.log(
    `first screen ${sizes.firstScreen.rawKb} KiB raw / ${sizes.firstScreen.gzipKb} KiB gzip ` +
      `(${sizes.firstScreen.gzipBytes.toLocaleString('en-US')} bytes); ` +
      `lazy JS ${sizes.lazy.rawKb} / ${sizes.lazy.gzipKb}; WASM ${sizes.wasm.rawKb} / ${sizes.wasm.gzipKb}`,
  );
  const app = await serve(ROOT, distDir);
  let loads;
  try {
    loads = await timeToInteractive(browser, app.url, REPEATS ?? 7);
  } finally {
    await app.close();
  }
  console.log('\nCold loads (fresh context each), ms since navigation start:');
  console.table(loads);
  const medianOf = (key) => median(loads.map((l) => l[key]));
  console.log(
    `median time to interactive ${medianOf('interactiveMs')} ms ` +
      `(first contentful paint ${medianOf('firstContentfulPaintMs')} ms, ` +
      `DOMContentLoaded ${medianOf('domContentLoadedMs')} ms)`,
  );
  writeFileSync(
    join(OUT_DIR, 'startup.json'),
    JSON.stringify({ date: new Date().toISOString(), sizes, loads }, null, 2),
  );
}

/** Our kernels in the built app: samples/s beside PyTorch, or the wait for one epoch. */
async function benchKernelsApp(browser, which) {
  const distDir = APP_DIST ? resolve(APP_DIST) : join(ROOT, 'dist');
  if (!existsSync(join(distDir, 'index.html'))) throw new Error('run vite build first');
  const app = await serve(ROOT, distDir);
  const configs = (arg('--configs') ?? 'relaxed,off').split(',');
  try {
    if (which === 'kernels-tab') {
      await benchKernelsInTab(browser, {
        appUrl: app.url,
        files: await csvs('subset'),
        rounds: Number(arg('--rounds') ?? 2),
        batches: [64, 256],
        epochs: Number(arg('--epochs') ?? 4),
        configs,
        torchSeconds: Number(arg('--torch-seconds') ?? 20),
        outDir: OUT_DIR,
      });
    } else {
      const isFull = (arg('--epoch-data') ?? 'full') === 'full';
      await benchEpochWait(browser, {
        appUrl: app.url,
        files: isFull ? IDX_FILES.map((name) => join(DATA_DIR, name)) : await csvs('subset'),
        testImages: isFull ? 10_000 : 2000,
        rounds: Number(arg('--rounds') ?? 1),
        batchSize: 64,
        configs,
        outDir: OUT_DIR,
      });
    }
  } finally {
    await app.close();
  }
}

/** Responsiveness (worker vs main thread) or memory of the built app while it trains. */
async function benchAppWhileTraining(browser, which) {
  const distDir = which === 'background' && APP_DIST ? resolve(APP_DIST) : join(ROOT, 'dist');
  if (!existsSync(join(distDir, 'index.html'))) throw new Error('run vite build first');
  const app = await serve(ROOT, distDir);
  const options = { appUrl: app.url, files: await csvs('subset'), outDir: OUT_DIR };
  try {
    if (which === 'responsiveness') {
      await benchResponsiveness(browser, { ...options, repeats: REPEATS ?? 2 });
    } else if (which === 'background') {
      // Its own Chromium: Playwright's launch keeps every tab visible.
      await benchBackgroundTab({ ...options, rounds: REPEATS ?? 2 });
    } else await benchMemory(browser, options);
  } finally {
    await app.close();
  }
}

async function main() {
  mkdirSync(OUT_DIR, { recursive: true });
  const appOnly = ['app', 'startup', 'responsiveness', 'memory', 'background'];
  const pages = [...appOnly, 'kernels-tab', 'kernels-epoch'].includes(ONLY)
    ? null
    : await serveBenchPages();
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    if (!ONLY || ONLY === 'ingest') await benchIngest(browser, pages.url);
    if (!ONLY || ONLY === 'training') await benchTraining(browser, pages.url);
    if (!ONLY || ONLY === 'app') await benchApp(browser);
    if (!ONLY || ONLY === 'startup') await benchStartup(browser);
    if (!ONLY || ONLY === 'responsiveness') await benchAppWhileTraining(browser, 'responsiveness');
    if (!ONLY || ONLY === 'memory') await benchAppWhileTraining(browser, 'memory');
    if (!ONLY || ONLY === 'background') await benchAppWhileTraining(browser, 'background');
    if (ONLY === 'kernels-tab' || ONLY === 'kernels-epoch') await benchKernelsApp(browser, ONLY);
    if (!ONLY || ONLY === 'kernels') {
      await benchConvKernels(browser, pages.url, {
        rounds: Number(arg('--rounds') ?? 3),
        batches: [64, 256],
        samples: Number(arg('--samples') ?? 1024),
        passRepeats: Number(arg('--pass-repeats') ?? 5),
        algorithmRepeats: Number(arg('--algorithm-repeats') ?? 0),
        torchSeconds: Number(arg('--torch-seconds') ?? 20),
        configs: (arg('--configs') ?? Object.keys(KERNEL_CONFIGS).join(',')).split(','),
        trainCsv: (await csvs('subset'))[0],
        outDir: OUT_DIR,
      });
    }
  } finally {
    await browser.close();
    await pages?.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
