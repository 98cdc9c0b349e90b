#!/usr/bin/env node
/**
 * WASM threads side by side: the seed CNN's training throughput in headless Chromium with the
 * single-thread SIMD binary and with the threaded SIMD binary at 1 and 2 threads, per batch
 * size. The binary is chosen once per page, so every configuration gets its own page; rounds
 * alternate the order of configurations and the table reports medians over rounds.
 *
 *   node bench/wasm-threads.mjs [--rounds 3] [--batches 32,64,128,256] [--configs simd,t1,t2]
 *                               (also simd-stock, t2-stock: stock tfjs paths)
 *                               [--samples 1024] [--profile STEPS]
 *
 * `--samples` fixes the timed samples per item (batches = samples / batch size, at least 2),
 * so every batch size is timed over the same amount of work. Results: printed, and written to
 * bench/results/wasm-threads.json. Pages must be cross-origin isolated: `vite preview` sends
 * COOP/COEP (vite.config.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/support/chromium-options.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'bench', 'results');
const DIST_DIR = join(OUT_DIR, 'dist-wasm-threads');
const TRAIN_CSV = join(ROOT, '.fixtures', 'subset', 'fashion-mnist_train.csv');
const PAGE_TIMEOUT_MS = 30 * 60_000;

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const ROUNDS = Number(arg('--rounds', '3'));
const BATCH_SIZES = arg('--batches', '64').split(',').map(Number);
const TIMED_SAMPLES = Number(arg('--samples', '1024'));
/** Profiled `trainOnBatch` steps per item after the timed loops (0: none). */
const PROFILE_STEPS = Number(arg('--profile', '0'));
/** What each configuration asks of the page (PlanItem.wasmThreads). */
const CONFIGS = {
  simd: { label: 'SIMD, single-thread binary', wasmThreads: undefined },
  t1: { label: 'threaded SIMD binary, 1 thread', wasmThreads: 1 },
  t2: { label: 'threaded SIMD binary, 2 threads', wasmThreads: 2 },
  // Baselines without the WASM training speed-ups (BackendRequest.wasmGradientRewrites).
  'simd-stock': {
    label: 'SIMD, single-thread binary, stock tfjs paths',
    wasmThreads: undefined,
    wasmGradientRewrites: false,
  },
  't2-stock': {
    label: 'threaded SIMD binary, 2 threads, stock tfjs paths',
    wasmThreads: 2,
    wasmGradientRewrites: false,
  },
};
const CHOSEN = arg('--configs', 'simd,t1,t2').split(',');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

async function runPage(browser, baseUrl, configId) {
  const plan = BATCH_SIZES.map((batchSize) => ({
    backend: 'wasm',
    batchSize,
    batches: Math.max(2, Math.round(TIMED_SAMPLES / batchSize)),
    ...(PROFILE_STEPS > 0 ? { profileSteps: PROFILE_STEPS } : {}),
    ...(CONFIGS[configId].wasmThreads === undefined
      ? {}
      : { wasmThreads: CONFIGS[configId].wasmThreads }),
    ...(CONFIGS[configId].wasmGradientRewrites === undefined
      ? {}
      : { wasmGradientRewrites: CONFIGS[configId].wasmGradientRewrites }),
  }));
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  try {
    await page.goto(`${baseUrl}training.html?plan=${encodeURIComponent(JSON.stringify(plan))}`);
    const isolated = await page.evaluate(() => globalThis.crossOriginIsolated);
    await page.locator('#files').setInputFiles(TRAIN_CSV);
    await page.waitForFunction(() => window.__trainingBench?.done === true, null, {
      timeout: PAGE_TIMEOUT_MS,
      polling: 500,
    });
    const bench = await page.evaluate(() => window.__trainingBench);
    if (bench.error) throw new Error(`${configId}: ${bench.error}`);
    return bench.results.map((r) => ({ configId, isolated, pageErrors, ...r }));
  } finally {
    await page.close();
  }
}

async function main() {
  mkdirSync(OUT_DIR, { recursive: true });
  await build({
    root: join(ROOT, 'bench'),
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: {
      outDir: DIST_DIR,
      emptyOutDir: true,
      rollupOptions: { input: [join(ROOT, 'bench', 'training.html')] },
    },
  });
  const server = await preview({
    root: join(ROOT, 'bench'),
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: DIST_DIR },
    preview: { host: '127.0.0.1', port: 0 },
  });
  const baseUrl = `http://127.0.0.1:${server.httpServer.address().port}/`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const runs = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? CHOSEN : [...CHOSEN].reverse();
      for (const configId of order) {
        for (const r of await runPage(browser, baseUrl, configId)) {
          runs.push({ round, ...r });
          console.log(
            `round ${round} ${configId} batch ${r.batchSize}: bare ${r.bareSamplesPerSec.toFixed(1)}, app ${r.appSamplesPerSec.toFixed(1)} samples/s (${r.backendInfo}; ${r.backendReason})${r.pageErrors.length ? ` page errors: ${r.pageErrors.join(' | ')}` : ''}`,
          );
        }
      }
    }
  } finally {
    await browser.close();
    server.httpServer.close();
  }
  const rows = [];
  for (const configId of CHOSEN) {
    for (const batchSize of BATCH_SIZES) {
      const rs = runs.filter((r) => r.configId === configId && r.batchSize === batchSize);
      rows.push({
        config: CONFIGS[configId].label,
        batch: batchSize,
        threads: rs[0]?.backendInfo.match(/(\d+) thread/)?.[1],
        'bare samples/s (median)': Number(median(rs.map((r) => r.bareSamplesPerSec)).toFixed(1)),
        'app samples/s (median)': Number(median(rs.map((r) => r.appSamplesPerSec)).toFixed(1)),
        'app runs': rs.map((r) => r.appSamplesPerSec.toFixed(0)).join(', '),
      });
    }
  }
  console.log(
    `\nSeed CNN on WASM in headless Chromium (bench page main thread), ${ROUNDS} rounds:`,
  );
  console.table(rows);
  if (PROFILE_STEPS > 0) printProfiles(runs);
  writeFileSync(
    join(OUT_DIR, 'wasm-threads.json'),
    JSON.stringify({ date: new Date().toISOString(), rows, runs }, null, 2),
  );
}

/** Per configuration and batch: kernel ms per step, median over rounds, slowest first. */
function printProfiles(runs) {
  for (const configId of CHOSEN) {
    for (const batchSize of BATCH_SIZES) {
      const rs = runs.filter(
        (r) => r.configId === configId && r.batchSize === batchSize && r.profile,
      );
      if (rs.length === 0) continue;
      const kernels = new Map();
      for (const r of rs) {
        for (const k of r.profile.kernels) {
          kernels.set(k.kernel, [...(kernels.get(k.kernel) ?? []), k.msPerStep]);
        }
      }
      const kernelMs = median(rs.map((r) => r.profile.kernelMsPerStep));
      console.log(
        `\n${CONFIGS[configId].label}, batch ${batchSize}: profiled step wall ${median(rs.map((r) => r.profile.wallMsPerStep)).toFixed(0)} ms, kernels ${kernelMs.toFixed(0)} ms (medians over ${rs.length} rounds)`,
      );
      console.table(
        [...kernels]
          .map(([kernel, ms]) => ({ kernel, 'ms/step': Number(median(ms).toFixed(1)) }))
          .sort((a, b) => b['ms/step'] - a['ms/step'])
          .slice(0, 20)
          .map((row) => ({ ...row, share: `${((100 * row['ms/step']) / kernelMs).toFixed(1)}%` })),
      );
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
