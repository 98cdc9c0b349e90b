/**
 * Runs in the benchmark page: the app's loader (worker, streaming, typed arrays) with the current
 * growable output arrays and with upper-bound ones (all rows allocated up front), papaparse's usual whole-file parse
 * of the same CSVs, and the loader on the four IDX .gz files. The Node driver (bench/run.mjs)
 * sets the files, calls `window.__startIngestBench`, samples the JS heap of this page and of
 * the ingest worker over CDP, and collects `window.__ingestBench`.
 */
import Papa from 'papaparse';
import type { SplitName } from '../src/config/dataset';
import { createDatasetLoader } from '../src/data/ingest-main';
import type { SplitAllocation } from '../src/data/split-storage';

interface Measurement {
  method: string;
  files: string;
  ms: number;
  rows: number;
  /** Main-page JS heap growth, MB (the worker's heap is not visible from here). */
  heapDeltaMb: number;
  /** Wall-clock window of the run, ms since the epoch (matches the driver's Date.now()). */
  startEpochMs: number;
  endEpochMs: number;
}

declare global {
  interface Window {
    __ingestBench?: { done: boolean; results: Measurement[]; error?: string };
    __startIngestBench?: (options: { repeats: number; skipPapaparse: boolean }) => void;
  }
}

const heapMb = (): number =>
  ((performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ??
    0) / 1e6;

const splitOf = (name: string): SplitName => (name.includes('train') ? 'train' : 'test');

async function measure(
  method: string,
  files: File[],
  run: () => Promise<number>,
): Promise<Measurement> {
  const heapBefore = heapMb();
  const startEpochMs = performance.timeOrigin + performance.now();
  const started = performance.now();
  const rows = await run();
  const ms = performance.now() - started;
  return {
    method,
    files: files.map((f) => f.name).join(' + '),
    ms,
    rows,
    heapDeltaMb: heapMb() - heapBefore,
    startEpochMs,
    endEpochMs: performance.timeOrigin + performance.now(),
  };
}

/** The app's loader: both CSVs in parallel, as the app does when both are dropped. */
async function appLoaderCsv(files: File[], csvAllocation: SplitAllocation): Promise<number> {
  const loader = createDatasetLoader({ csvAllocation });
  try {
    const loaded = await Promise.all(
      files.map((f) => loader.loadCsv(f, splitOf(f.name), () => {})),
    );
    return loaded.reduce((sum, l) => sum + l.count, 0);
  } finally {
    loader.dispose();
  }
}

/** The app's loader on the four official IDX .gz files: train and test pairs in parallel. */
async function appLoaderIdx(files: File[]): Promise<number> {
  const find = (prefix: string, kind: string): File => {
    const file = files.find((f) => f.name.startsWith(prefix) && f.name.includes(kind));
    if (!file) throw new Error(`missing IDX file ${prefix}-${kind}`);
    return file;
  };
  const loader = createDatasetLoader();
  try {
    const loaded = await Promise.all(
      (['train', 't10k'] as const).map((prefix) =>
        loader.loadIdx(
          find(prefix, 'images'),
          find(prefix, 'labels'),
          prefix === 'train' ? 'train' : 'test',
          () => {},
        ),
      ),
    );
    return loaded.reduce((sum, l) => sum + l.count, 0);
  } finally {
    loader.dispose();
  }
}

/** papaparse as usually called: whole text, dynamic typing, every row an array of numbers. */
async function papaparseDefault(files: File[]): Promise<number> {
  let rows = 0;
  for (const file of files) {
    const text = await file.text();
    const result = Papa.parse<number[]>(text, { dynamicTyping: true, skipEmptyLines: true });
    rows += result.data.length - 1;
  }
  return rows;
}

/** Method names; bench/run.mjs groups results by them. */
const INGEST_METHODS = {
  appGrowable: 'app loader, CSV (worker, growable arrays)',
  appUpperBound: 'app loader, CSV (worker, upper-bound arrays)',
  papaparse: 'papaparse whole-file default, CSV',
  appIdx: 'app loader, 4 IDX .gz (worker)',
} as const;

function plan(
  csv: File[],
  idx: File[],
  skipPapaparse: boolean,
): Array<[string, File[], () => Promise<number>]> {
  const items: Array<[string, File[], () => Promise<number>]> = [
    [INGEST_METHODS.appGrowable, csv, () => appLoaderCsv(csv, 'growable')],
    [INGEST_METHODS.appUpperBound, csv, () => appLoaderCsv(csv, 'upper-bound')],
  ];
  if (!skipPapaparse) items.push([INGEST_METHODS.papaparse, csv, () => papaparseDefault(csv)]);
  if (idx.length > 0) items.push([INGEST_METHODS.appIdx, idx, () => appLoaderIdx(idx)]);
  return items;
}

/** Gives the garbage of the previous method time to go before the next baseline. */
const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const SETTLE_MS = 1500;

/**
 * Starts the run; the driver polls `window.__ingestBench.done`. `startEpochMs`/`endEpochMs` of
 * each measurement let the driver attribute its heap samples (page and worker, over CDP).
 */
window.__startIngestBench = (options) => {
  const input = (id: string) =>
    Array.from((document.getElementById(id) as HTMLInputElement).files ?? []);
  const items = plan(input('files'), input('idx-files'), options.skipPapaparse);
  window.__ingestBench = { done: false, results: [] };
  void (async () => {
    try {
      for (let i = 0; i < options.repeats; i++) {
        // Alternate the order so no method always runs first on a cold cache.
        for (const [method, files, run] of i % 2 === 0 ? items : [...items].reverse()) {
          await settle(SETTLE_MS);
          const m = await measure(method, files, run);
          window.__ingestBench!.results.push(m);
          (document.getElementById('out') as HTMLElement).textContent += `${JSON.stringify(m)}\n`;
        }
      }
    } catch (error) {
      window.__ingestBench!.error = String(error);
    }
    window.__ingestBench!.done = true;
  })();
};
