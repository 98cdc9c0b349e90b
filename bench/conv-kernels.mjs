/**
 * Our 3×3 convolution kernels against the other WASM paths and native PyTorch, side by side in
 * one run (`npm run bench -- --only kernels`; bench/run.mjs). In headless Chromium on the bench
 * page (training.html, cross-origin isolated, the threaded SIMD binary with the app's thread
 * counts unless a configuration sets them), per configuration and batch size:
 * - samples/s of the seed CNN through the app's own loop (`trainModel`, hooks included);
 * - conv2's three passes timed apart, ms and GFLOP/s (batch 64);
 * - the time one full epoch of 48,000 images would take at that rate;
 * - with --algorithm-repeats, every algorithm forced for conv2's passes and conv1's forward;
 * and, beside them, native PyTorch on the same cores: `torch_cpu_speed.py --threads 2` from
 * ../shared/tools (env TORCH_CPU_SPEED, PYTHON), once before and once after the browser runs.
 * Each configuration gets its own page per round; rounds alternate the order.
 */
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PAGE_TIMEOUT_MS = 60 * 60_000;
/** One full epoch of the app's default split: the first 48,000 training images. */
const EPOCH_IMAGES = 48_000;
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const TORCH_CPU_SPEED =
  process.env.TORCH_CPU_SPEED ?? join(ROOT, '..', 'shared', 'tools', 'torch_cpu_speed.py');

/** What each configuration asks of the page (bench/training-bench.ts PlanItem). */
export const KERNEL_CONFIGS = {
  stock: {
    label: 'stock tfjs WASM (conv2d-only gradient, no speed-ups)',
    wasmGradientRewrites: false,
    wasmConvKernels: 'off',
  },
  today: { label: 'WASM speed-ups, tfjs convolutions', wasmConvKernels: 'off' },
  simd128: { label: 'our kernels, SIMD128', wasmConvKernels: 'simd128' },
  relaxed: { label: 'our kernels, relaxed SIMD (the app)', wasmConvKernels: 'relaxed' },
  'relaxed-1t': {
    label: 'our kernels, relaxed SIMD, 1 thread',
    wasmConvKernels: 'relaxed',
    wasmConvKernelThreads: 1,
  },
  // Both pools on every core: tfjs's idle XNNPACK threads spin on the cores ours need.
  'relaxed-tfjs2': {
    label: 'our kernels, relaxed SIMD, tfjs on 2 threads too',
    wasmConvKernels: 'relaxed',
    wasmThreads: 2,
  },
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const minutesAndSeconds = (seconds) =>
  `${Math.floor(seconds / 60)} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;

/** Native PyTorch samples/s by batch size, or null when the tool or torch is missing. */
export async function runPyTorch(batches, seconds) {
  if (!existsSync(TORCH_CPU_SPEED)) return null;
  try {
    const { stdout } = await promisify(execFile)(
      PYTHON,
      [
        TORCH_CPU_SPEED,
        '--threads',
        '2',
        '--batches',
        batches.join(','),
        '--seconds',
        `${seconds}`,
      ],
      { timeout: 30 * 60_000 },
    );
    const rows = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    return Object.fromEntries(
      rows.map((r) => [r.batch, { samplesPerSec: r.samples_per_s, torch: r.torch }]),
    );
  } catch (error) {
    console.log(`PyTorch anchor failed: ${error.message}`);
    return null;
  }
}

async function runConfig(browser, baseUrl, trainCsv, configId, options) {
  const config = KERNEL_CONFIGS[configId];
  const plan = options.batches.map((batchSize) => ({
    backend: 'wasm',
    batchSize,
    batches: Math.max(2, Math.round(options.samples / batchSize)),
    allowWasmThreads: true,
    isAppLoopOnly: true,
    ...(batchSize === 64 ? { conv2PassRepeats: options.passRepeats } : {}),
    ...(batchSize === 64 && options.algorithmRepeats > 0 && config.wasmConvKernels !== 'off'
      ? { algorithmRepeats: options.algorithmRepeats }
      : {}),
    ...Object.fromEntries(Object.entries(config).filter(([key]) => key !== 'label')),
  }));
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  try {
    await page.goto(`${baseUrl}training.html?plan=${encodeURIComponent(JSON.stringify(plan))}`);
    await page.locator('#files').setInputFiles(trainCsv);
    await page.waitForFunction(() => window.__trainingBench?.done === true, null, {
      timeout: PAGE_TIMEOUT_MS,
      polling: 1000,
    });
    const bench = await page.evaluate(() => window.__trainingBench);
    if (bench.error) throw new Error(`${configId}: ${bench.error}`);
    if (pageErrors.length > 0) throw new Error(`${configId}: ${pageErrors.join(' | ')}`);
    return bench.results.map((r) => ({ configId, ...r }));
  } finally {
    await page.close();
  }
}

function summarise(runs, configIds, batches, torch) {
  const rows = [];
  for (const configId of configIds) {
    for (const batch of batches) {
      const rs = runs.filter((r) => r.configId === configId && r.batchSize === batch);
      if (rs.length === 0) continue;
      const samplesPerSec = median(rs.map((r) => r.appSamplesPerSec));
      const native = torch?.[batch];
      rows.push({
        config: KERNEL_CONFIGS[configId].label,
        batch,
        'tfjs threads': rs[0].backendInfo.match(/(\d+) thread/)?.[1],
        kernels: rs[0].convKernels,
        'samples/s': Number(samplesPerSec.toFixed(1)),
        runs: rs.map((r) => r.appSamplesPerSec.toFixed(0)).join(', '),
        'images per thread %': rs[0].convThreadShares?.join(' / ') ?? '',
        'vs PyTorch': native ? `${(samplesPerSec / native).toFixed(2)}×` : 'n/a',
        'epoch of 48,000': minutesAndSeconds(EPOCH_IMAGES / samplesPerSec),
      });
    }
  }
  return rows;
}

function conv2Rows(runs, configIds) {
  return configIds.flatMap((configId) => {
    const rs = runs.filter((r) => r.configId === configId && r.conv2);
    if (rs.length === 0) return [];
    const pass = (key) => median(rs.map((r) => r.conv2[key]));
    const gflops = (ms) => (rs[0].conv2.flopsPerPass / (ms / 1000) / 1e9).toFixed(1);
    const best = (key) => Math.min(...rs.map((r) => r.conv2[key]));
    const [forward, input, filter] = ['forwardMs', 'inputGradientMs', 'filterGradientMs'].map(pass);
    const [bestForward, bestInput, bestFilter] = [
      'bestForwardMs',
      'bestInputGradientMs',
      'bestFilterGradientMs',
    ].map(best);
    return [
      {
        config: KERNEL_CONFIGS[configId].label,
        'forward ms': forward.toFixed(1),
        'forward GFLOP/s': gflops(forward),
        'dx ms': input.toFixed(1),
        'dx GFLOP/s': gflops(input),
        'dW ms': filter.toFixed(1),
        'dW GFLOP/s': gflops(filter),
        'best ms (fwd, dx, dW)': [bestForward, bestInput, bestFilter]
          .map((ms) => ms.toFixed(1))
          .join(', '),
      },
    ];
  });
}

/**
 * Every algorithm forced in turn (bench/conv-algorithms.ts): per configuration, layer, pass
 * and algorithm, the medians over rounds of each round's median, and the app's choice marked.
 */
function algorithmRows(runs, configIds) {
  return configIds.flatMap((configId) => {
    const sweeps = runs.filter((r) => r.configId === configId && r.algorithms);
    if (sweeps.length === 0) return [];
    return sweeps[0].algorithms.map((first, i) => {
      const same = sweeps.map((r) => r.algorithms[i]);
      const ms = median(same.map((a) => a.medianMs));
      return {
        config: KERNEL_CONFIGS[configId].label,
        layer: first.layer,
        pass: first.pass,
        algorithm: `${first.algorithm}${first.isAppChoice ? ' (app)' : ''}`,
        ms: first.cannotRun ? 'cannot run' : ms.toFixed(2),
        'GFLOP/s': first.cannotRun
          ? ''
          : Number(median(same.map((a) => a.gflopsPerSec)).toFixed(1)),
        'best ms': first.cannotRun ? '' : Math.min(...same.map((a) => a.bestMs)).toFixed(2),
        'error vs direct': first.cannotRun ? first.cannotRun : first.errorVsDirect.toExponential(1),
      };
    });
  });
}

/**
 * Runs the comparison on the bench pages served at `baseUrl`. Options: rounds, batches,
 * samples (timed per item), passRepeats (conv2 passes), algorithmRepeats (every algorithm
 * forced for conv2's passes and conv1's forward; 0 for none), torchSeconds (per PyTorch batch
 * size), configs (ids of KERNEL_CONFIGS), trainCsv, outDir.
 */
export async function benchConvKernels(browser, baseUrl, options) {
  const { rounds, batches, configs, torchSeconds } = options;
  console.log(`\nPyTorch anchor (${TORCH_CPU_SPEED}, 2 threads), before the browser runs…`);
  const torchBefore = await runPyTorch(batches, torchSeconds);
  const runs = [];
  for (let round = 0; round < rounds; round++) {
    for (const configId of round % 2 === 0 ? configs : [...configs].reverse()) {
      for (const r of await runConfig(browser, baseUrl, options.trainCsv, configId, options)) {
        runs.push({ round, ...r });
        console.log(
          `round ${round} ${configId} batch ${r.batchSize}: ${r.appSamplesPerSec.toFixed(1)} samples/s (${r.backendReason})`,
        );
      }
    }
  }
  const torchAfter = await runPyTorch(batches, torchSeconds);
  const torch =
    torchBefore && torchAfter
      ? Object.fromEntries(
          batches.map((b) => [b, (torchBefore[b].samplesPerSec + torchAfter[b].samplesPerSec) / 2]),
        )
      : null;
  console.log('\nNative PyTorch CPU, 2 threads, samples/s (before, after the browser runs):');
  console.table(
    batches.map((b) => ({
      batch: b,
      before: torchBefore?.[b]?.samplesPerSec ?? 'n/a',
      after: torchAfter?.[b]?.samplesPerSec ?? 'n/a',
      torch: torchBefore?.[b]?.torch ?? 'n/a',
    })),
  );
  console.log(
    `\nSeed CNN training in Chromium (app loop, threaded WASM binary), ${rounds} round(s), medians; ratio to the mean PyTorch figure:`,
  );
  const rows = summarise(runs, configs, batches, torch);
  console.table(rows);
  console.log(
    '\nconv2 (64×28×28×64 ⊛ 3×3×64×64, same), batch 64, per pass (kernel times; medians, and the best of all repeats):',
  );
  const passes = conv2Rows(runs, configs);
  console.table(passes);
  const algorithms = algorithmRows(runs, configs);
  if (algorithms.length > 0) {
    console.log(
      '\nEvery algorithm forced, batch 64 (wall ms of each pass alone, medians; GFLOP/s of the direct count 2·N·H·W·9·Cin·Cout; error = max |Δ| / max |direct|):',
    );
    console.table(algorithms);
  }
  writeFileSync(
    join(options.outDir, 'conv-kernels.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        options,
        torchBefore,
        torchAfter,
        rows,
        passes,
        algorithms,
        runs,
      },
      null,
      2,
    ),
  );
}
