/**
 * The page of tests/browser/conv3x3-kernels.spec.ts: runs the check in a module worker, as the
 * app trains in one (so the kernels' helper workers are nested, and the pool blocks with
 * Atomics.wait), and leaves its report in `window.__conv3x3Check`.
 */
import type { CheckReport } from './check.worker';

declare global {
  interface Window {
    __conv3x3Check?: CheckReport | { error: string };
  }
}

const worker = new Worker(new URL('./check.worker.ts', import.meta.url), { type: 'module' });
worker.onmessage = (event: MessageEvent<CheckReport>) => {
  window.__conv3x3Check = event.data;
  document.getElementById('out')!.textContent = JSON.stringify(event.data, null, 2);
};
worker.onerror = (event) => {
  window.__conv3x3Check = { error: event.message || 'worker failed to load' };
};
