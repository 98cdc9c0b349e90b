/**
 * Memory of the built app while it trains on the worker path (WASM): peak JS heap of the page
 * and of the training worker, and tfjs' own accounting at every epoch end.
 *
 * - Heap: heap-sampler.mjs (CDP `Runtime.getHeapUsage` on the page and on every worker it
 *   starts; V8 heap + ArrayBuffer backing stores). Peak growth over the run, against the last
 *   sample before Train, and the absolute peak.
 * - tfjs: the app exposes nothing, and needs not to. tfjs-core keeps its engine on the global
 *   object (`globalThis._tfengine`, what `tf.memory()` reads), also inside the worker. The
 *   benchmark reaches the worker's global through Playwright (`page.on('worker')`,
 *   `worker.evaluate`, a CDP Runtime.evaluate in the worker target) and wraps the worker's
 *   `self.postMessage`: the engine posts `{ kind: 'epoch' }` synchronously from `onEpochEnd`,
 *   after the epoch's batches and validation are disposed, so reading `_tfengine.memory()` then
 *   is exactly "at epoch end". It also reads it at every batch message (for the max) and at
 *   `done`. The WASM backend's linear memory (`HEAPU8.byteLength`) is read at the same points:
 *   it only grows, and tensors live in it, not in the JS heap.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { peakHeapGrowth, startHeapSampler } from './heap-sampler.mjs';
import { openAppWithSubset, samplesPerSecShown } from './app-session.mjs';

/** Heap changes slowly while training; fewer CDP round trips disturb the worker less. */
const HEAP_SAMPLE_INTERVAL_MS = 100;
const RUN_TIMEOUT_MS = 30 * 60_000;
const MB = 1e6;

/** Runs inside the training worker (worker.evaluate), before the first epoch ends. */
function instrumentTrainingWorker() {
  const scope = self;
  if (scope.__tfMemoryProbe) return;
  const probe = { epochs: [], batches: [], done: null };
  scope.__tfMemoryProbe = probe;
  const original = scope.postMessage.bind(scope);
  const read = () => {
    const engine = scope._tfengine;
    if (!engine) return null;
    const memory = engine.memory();
    const backend = engine.backendInstance;
    return {
      atMs: performance.now(),
      numTensors: memory.numTensors,
      numDataBuffers: memory.numDataBuffers,
      numBytes: memory.numBytes,
      wasmHeapBytes: backend?.wasm?.HEAPU8?.byteLength ?? null,
    };
  };
  scope.postMessage = (message, transfer) => {
    if (message?.kind === 'epoch') probe.epochs.push({ epoch: message.metrics.epoch, ...read() });
    else if (message?.kind === 'batch') {
      probe.batches.push({ epoch: message.metrics.epoch, batch: message.metrics.batch, ...read() });
    } else if (message?.kind === 'done') probe.done = read();
    return original(message, transfer);
  };
}

/** 3 epochs on the 2,000-row subsets, worker path; prints, writes `outDir`/memory.json. */
export async function benchMemory(browser, { appUrl, files, outDir, epochs = 3 }) {
  let trainingWorker = null;
  let instrumented = null;
  const page = await openAppWithSubset(browser, appUrl, '?backend=wasm', files, {
    epochs,
    seed: 1,
    beforeGoto: (p) =>
      p.on('worker', (worker) => {
        if (!worker.url().includes('training.worker')) return;
        trainingWorker = worker;
        instrumented = worker.evaluate(instrumentTrainingWorker);
      }),
  });
  try {
    const sampler = await startHeapSampler(page, HEAP_SAMPLE_INTERVAL_MS);
    // A few samples before Train, as the baseline of the growth figures.
    await page.waitForTimeout(500);
    const trainAtEpochMs = Date.now();
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page.getByText(/^Test accuracy: /).waitFor({ timeout: RUN_TIMEOUT_MS });
    const doneAtEpochMs = Date.now();
    const samples = await sampler.stop();
    if (!trainingWorker) throw new Error('no training worker started: is the worker path on?');
    await instrumented;
    const probe = await trainingWorker.evaluate(() => self.__tfMemoryProbe);
    const samplesPerSec = await samplesPerSecShown(page);
    const backend = await page.getByTestId('backend-info').innerText();
    const growth = peakHeapGrowth(samples, trainAtEpochMs, doneAtEpochMs);
    const baseline = samples.filter((s) => s.atEpochMs < trainAtEpochMs).at(-1);
    const during = samples.filter(
      (s) => s.atEpochMs >= trainAtEpochMs && s.atEpochMs <= doneAtEpochMs,
    );
    // The sampler lists workers in attach order: those alive before Train (the ingest worker,
    // idle) come first, the training worker after them.
    const workersBefore = baseline?.workersMb.length ?? 0;
    const trainingWorkerMb = (s) => s.workersMb.slice(workersBefore).reduce((a, b) => a + b, 0);
    const wasmMemoryMb = Math.max(...probe.batches.map((b) => b.wasmHeapBytes ?? 0)) / MB;
    const peak = {
      pageMb: Math.max(...during.map((s) => s.pageMb)),
      pageGrowthMb: growth?.pageMb,
      trainingWorkerMb: Math.max(...during.map(trainingWorkerMb)),
      otherWorkersBeforeTrainMb: baseline ? baseline.workersMb.reduce((a, b) => a + b, 0) : 0,
      trainingWorkerWasmMemoryMb: wasmMemoryMb,
      samples: during.length,
      sampleIntervalMs: HEAP_SAMPLE_INTERVAL_MS,
    };
    const epochRows = probe.epochs.map((e) => ({
      'epoch end': e.epoch + 1,
      'tfjs tensors': e.numTensors,
      'tfjs data buffers': e.numDataBuffers,
      'tfjs MB': Number((e.numBytes / MB).toFixed(2)),
      'WASM memory MB': e.wasmHeapBytes === null ? '–' : Number((e.wasmHeapBytes / MB).toFixed(1)),
    }));
    const perBatch = probe.batches.map((b) => b.numTensors);
    const batchTensorRange = `${Math.min(...perBatch)}–${Math.max(...perBatch)}`;
    console.log(
      `\nMemory while training: built app, worker path (${backend.split('.')[0]}), seed CNN, ` +
        `${epochs} epochs of 1,600 images, batch 64, ${samplesPerSec} samples/s:`,
    );
    console.table(epochRows);
    console.log(
      `tfjs tensors at batch ends ${batchTensorRange} over ${perBatch.length} batches; ` +
        `after test evaluation ${probe.done?.numTensors} tensors, ` +
        `${((probe.done?.numBytes ?? NaN) / MB).toFixed(2)} MB`,
    );
    console.table([
      {
        'peak page heap MB': Math.round(peak.pageMb),
        'page growth MB': Math.round(peak.pageGrowthMb),
        'peak training worker heap MB': Math.round(peak.trainingWorkerMb),
        '+ its WASM memory MB': Math.round(peak.trainingWorkerWasmMemoryMb),
        'idle workers from before MB': Math.round(peak.otherWorkersBeforeTrainMb),
        'heap samples': peak.samples,
      },
    ]);
    console.log(
      'JS heap = V8 heap + ArrayBuffer stores (Runtime.getHeapUsage); the WASM linear memory ' +
        'holding the tensors is not in it and never shrinks, so it is shown beside it.',
    );
    const tensorCounts = probe.epochs.map((e) => e.numTensors);
    const isConstant = tensorCounts.every((n) => n === tensorCounts[0]);
    console.log(
      isConstant
        ? `tensor count at epoch ends constant (${tensorCounts[0]}): no leak per epoch`
        : `tensor count at epoch ends NOT constant (${tensorCounts.join(', ')}): a leak`,
    );
    const result = {
      date: new Date().toISOString(),
      backend,
      epochs,
      samplesPerSec,
      epochEnds: probe.epochs,
      batchEnds: probe.batches,
      afterEvaluation: probe.done,
      isTensorCountConstant: isConstant,
      peak,
      heapSamples: samples,
    };
    writeFileSync(join(outDir, 'memory.json'), JSON.stringify(result, null, 2));
    return result;
  } finally {
    await page.close();
  }
}
