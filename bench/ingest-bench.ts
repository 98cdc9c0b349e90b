/**
 * Runs in the benchmark page: the app's loader (worker, streaming, typed arrays) against
 * papaparse's usual whole-file parse of the same files, in the same page. The Node driver
 * (bench/run.mjs) sets the files and collects `window.__ingestBench`.
 */
import Papa from 'papaparse';
import { createDatasetLoader } from '../src/data/ingest-main';
import type { SplitName } from '../src/config/dataset';

interface Measurement {
  method: string;
  files: string;
  ms: number;
  rows: number;
  /** Main-page JS heap growth, MB (the worker's heap is not visible from here). */
  heapDeltaMb: number;
}

declare global {
  interface Window {
    __ingestBench?: { done: boolean; results: Measurement[]; error?: string };
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
  const started = performance.now();
  const rows = await run();
  const ms = performance.now() - started;
  return {
    method,
    files: files.map((f) => f.name).join(' + '),
    ms,
    rows,
    heapDeltaMb: heapMb() - heapBefore,
  };
}

/** The app's loader: both files in parallel, as the app does when both are dropped. */
async function appLoader(files: File[]): Promise<number> {
  const loader = createDatasetLoader();
  try {
    const loaded = await Promise.all(
      files.map((f) => loader.loadCsv(f, splitOf(f.name), () => {})),
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

const input = document.getElementById('files') as HTMLInputElement;
input.addEventListener('change', () => {
  const files = Array.from(input.files ?? []);
  const repeats = Number(new URLSearchParams(location.search).get('repeats') ?? '3');
  window.__ingestBench = { done: false, results: [] };
  void (async () => {
    try {
      for (let i = 0; i < repeats; i++) {
        // Alternate the order so neither method always runs on a warm cache.
        const order = i % 2 === 0 ? ['app', 'papaparse'] : ['papaparse', 'app'];
        for (const method of order) {
          const m =
            method === 'app'
              ? await measure('app loader (worker, streaming)', files, () => appLoader(files))
              : await measure('papaparse whole-file default', files, () => papaparseDefault(files));
          window.__ingestBench!.results.push(m);
          (document.getElementById('out') as HTMLElement).textContent += `${JSON.stringify(m)}\n`;
        }
      }
    } catch (error) {
      window.__ingestBench!.error = String(error);
    }
    window.__ingestBench!.done = true;
  })();
});
