/**
 * Our 3×3 convolution kernels measured in the built app, as a user runs it: the production
 * build in headless Chromium, training in its worker (WASM, threads, cross-origin isolated),
 * live charts and validation on, the kernels chosen with `?wasmConvKernels=relaxed|simd128|off`
 * (src/app/url-options.ts). Two measurements:
 *
 * - benchKernelsInTab (`npm run bench -- --only kernels-tab`): the page's own samples/s over
 *   4 epochs of the subset's 1,600 training images (2,000 rows, 20 % held out for validation)
 *   at batch 64 and at batch 256, each configuration in its own page, alternating with native
 *   PyTorch (`torch_cpu_speed.py --threads 2`) in the same run: PyTorch, the tab runs, PyTorch,
 *   the tab runs in the other order, … PyTorch. Ratios are to the mean of PyTorch's runs.
 * - benchEpochWait (`npm run bench -- --only kernels-epoch`): the time a user waits for one
 *   full epoch, from the click on Train to the first row of the epoch table (epoch 1 done,
 *   validation included), on the full dataset (the four official IDX files: 48,000 training
 *   and 12,000 validation images) or, to check the script quickly, on the subset.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openAppWithSubset, samplesPerSecShown } from './app-session.mjs';
import { runPyTorch } from './conv-kernels.mjs';

/** What `?wasmConvKernels=` each configuration opens the app with. */
export const TAB_KERNEL_CONFIGS = {
  relaxed: { label: 'our kernels, relaxed SIMD (the app)', wasmConvKernels: 'relaxed' },
  simd128: { label: 'our kernels, SIMD128', wasmConvKernels: 'simd128' },
  off: { label: "tfjs's own convolutions (before)", wasmConvKernels: 'off' },
};

/** Bounds one run: 4 epochs of 1,600 images on tfjs's own kernels on a loaded machine. */
const RUN_TIMEOUT_MS = 30 * 60_000;
/** Bounds one full epoch (48,000 + 12,000 images) on tfjs's own kernels on a loaded machine. */
const EPOCH_TIMEOUT_MS = 90 * 60_000;
/** Loading the four IDX files (60,000 + 10,000 images) into the tab. */
const FULL_LOAD_TIMEOUT_MS = 5 * 60_000;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const minutesAndSeconds = (seconds) =>
  `${Math.floor(seconds / 60)} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;

function queryOf(configId) {
  const config = TAB_KERNEL_CONFIGS[configId];
  if (!config) throw new Error(`unknown configuration ${configId}`);
  return `?backend=wasm&wasmConvKernels=${config.wasmConvKernels}`;
}

/** The backend line, which says which kernels ran (checked against what was asked). */
async function backendLine(page, configId) {
  const line = await page.getByTestId('backend-info').innerText();
  const isOurs = line.includes('convolutions: own');
  if (isOurs !== (configId !== 'off')) throw new Error(`${configId}: the page ran ${line}`);
  return line;
}

/** One run of `epochs` at `batchSize` to its test accuracy; the page's samples/s. */
async function runInTab(browser, appUrl, files, configId, batchSize, epochs) {
  const page = await openAppWithSubset(browser, appUrl, queryOf(configId), files, {
    epochs,
    seed: 1,
    batchSize,
  });
  try {
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page.getByText(/^Test accuracy: /).waitFor({ timeout: RUN_TIMEOUT_MS });
    return {
      configId,
      batchSize,
      samplesPerSec: await samplesPerSecShown(page),
      backend: await backendLine(page, configId),
    };
  } finally {
    await page.close();
  }
}

/**
 * The page's samples/s per configuration and batch size, alternating with native PyTorch.
 * Options: rounds, batches, epochs, configs (ids of TAB_KERNEL_CONFIGS), torchSeconds, files
 * (the subset's two CSVs), appUrl, outDir.
 */
export async function benchKernelsInTab(browser, options) {
  const { rounds, batches, epochs, configs, torchSeconds, files, appUrl } = options;
  const torchRuns = [];
  const tabRuns = [];
  const pyTorch = async (when) => {
    const result = await runPyTorch(batches, torchSeconds);
    torchRuns.push({ when, result });
    console.log(`PyTorch ${when}: ${JSON.stringify(result)}`);
  };
  for (let round = 0; round < rounds; round++) {
    await pyTorch(`before round ${round}`);
    const order = round % 2 === 0 ? configs : [...configs].reverse();
    for (const configId of order) {
      for (const batchSize of batches) {
        const run = await runInTab(browser, appUrl, files, configId, batchSize, epochs);
        tabRuns.push({ round, ...run });
        console.log(
          `round ${round} ${configId} batch ${batchSize}: ${run.samplesPerSec} samples/s`,
        );
      }
    }
  }
  await pyTorch('after the last round');
  const torchMean = Object.fromEntries(
    batches.map((b) => {
      const values = torchRuns.flatMap((r) => (r.result?.[b] ? [r.result[b].samplesPerSec] : []));
      return [b, values.length > 0 ? mean(values) : null];
    }),
  );
  console.log('\nNative PyTorch CPU, 2 threads, samples/s, each run of the alternation:');
  console.table(
    torchRuns.map((r) => ({
      when: r.when,
      ...Object.fromEntries(
        batches.map((b) => [`batch ${b}`, r.result?.[b]?.samplesPerSec ?? 'n/a']),
      ),
    })),
  );
  const rows = configs.flatMap((configId) =>
    batches.map((batch) => {
      const rs = tabRuns.filter((r) => r.configId === configId && r.batchSize === batch);
      const samplesPerSec = median(rs.map((r) => r.samplesPerSec));
      return {
        config: TAB_KERNEL_CONFIGS[configId].label,
        batch,
        'samples/s (page)': samplesPerSec,
        runs: rs.map((r) => r.samplesPerSec).join(', '),
        'vs PyTorch': torchMean[batch]
          ? `${(samplesPerSec / torchMean[batch]).toFixed(2)}×`
          : 'n/a',
        'PyTorch mean': torchMean[batch] ? Number(torchMean[batch].toFixed(1)) : 'n/a',
      };
    }),
  );
  console.log(
    `\nThe built app in a tab (worker, live charts, validation): ${epochs} epochs of 1,600 images, medians of ${rounds} round(s):`,
  );
  console.table(rows);
  console.log(`backend lines: ${[...new Set(tabRuns.map((r) => r.backend))].join(' | ')}`);
  writeFileSync(
    join(options.outDir, 'conv-kernels-tab.json'),
    JSON.stringify({ date: new Date().toISOString(), options, torchRuns, tabRuns, rows }, null, 2),
  );
}

/** Runs in the page before Train: notes the click on Train and the epoch table's first row. */
function watchFirstEpoch() {
  const wait = {};
  window.__epochWait = wait;
  document.addEventListener(
    'click',
    (event) => {
      const button = event.target instanceof Element ? event.target.closest('button') : null;
      if (button?.textContent?.trim() === 'Train' && wait.trainMs === undefined) {
        wait.trainMs = performance.now();
      }
    },
    true,
  );
  const observer = new MutationObserver(() => {
    const row = document.querySelector('table[aria-label="Epoch history"] tbody tr');
    if (!row || wait.epochDoneMs !== undefined) return;
    wait.epochDoneMs = performance.now();
    wait.row = [...row.querySelectorAll('td')].map((td) => td.textContent);
    observer.disconnect();
  });
  observer.observe(document.body, { childList: true, subtree: true });
}

/**
 * One epoch per configuration and round, timed from Train to "epoch 1 done". Options: rounds,
 * configs, batchSize, files, testImages (the files' test split size), appUrl, outDir, command.
 */
export async function benchEpochWait(browser, options) {
  const { rounds, configs, batchSize, files, testImages, appUrl } = options;
  const runs = [];
  for (let round = 0; round < rounds; round++) {
    for (const configId of round % 2 === 0 ? configs : [...configs].reverse()) {
      const page = await openAppWithSubset(browser, appUrl, queryOf(configId), files, {
        epochs: 1,
        seed: 1,
        batchSize,
        testImages,
        loadTimeoutMs: FULL_LOAD_TIMEOUT_MS,
      });
      try {
        const trainImages = await page.getByTestId('train-summary').locator('strong').innerText();
        console.log(`round ${round} ${configId}: ${trainImages} loaded; training one epoch…`);
        await page.evaluate(watchFirstEpoch);
        await page.getByRole('button', { name: 'Train', exact: true }).click();
        await page.waitForFunction(() => window.__epochWait?.epochDoneMs !== undefined, null, {
          timeout: EPOCH_TIMEOUT_MS,
          polling: 1000,
        });
        const wait = await page.evaluate(() => window.__epochWait);
        const run = {
          round,
          configId,
          loaded: trainImages,
          waitS: (wait.epochDoneMs - wait.trainMs) / 1000,
          // The epoch table's last column: the run's training time at the epoch's end.
          trainingTimeShown: wait.row.at(-1),
          samplesPerSec: await samplesPerSecShown(page),
          backend: await backendLine(page, configId),
        };
        runs.push(run);
        console.log(`round ${round} ${configId}: ${JSON.stringify(run)}`);
      } finally {
        await page.close();
      }
    }
  }
  const rows = configs.map((configId) => {
    const rs = runs.filter((r) => r.configId === configId);
    const waitS = median(rs.map((r) => r.waitS));
    return {
      config: TAB_KERNEL_CONFIGS[configId].label,
      'Train → epoch 1 done (median)': minutesAndSeconds(waitS),
      'runs, s': rs.map((r) => r.waitS.toFixed(1)).join(', '),
      'training time shown': rs.map((r) => r.trainingTimeShown).join(', '),
      'samples/s (page)': rs.map((r) => r.samplesPerSec).join(', '),
    };
  });
  console.log(
    `\nOne epoch in the built app (${runs[0]?.loaded ?? '?'} loaded, batch ${batchSize}), from Train to the epoch table's first row:`,
  );
  console.table(rows);
  writeFileSync(
    join(options.outDir, 'conv-kernels-epoch.json'),
    JSON.stringify({ date: new Date().toISOString(), options, runs, rows }, null, 2),
  );
}
