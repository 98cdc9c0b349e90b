/**
 * The page of tests/browser/conv3x3-kernels.spec.ts: runs the check in a module worker, as the
 * app trains in one (so the kernels' helper workers are nested, and the pool blocks with
 * Atomics.wait), and leaves its report in `window.__conv3x3Check`. `?part=seed-cnn` runs the
 * whole seed CNN instead of the layer-by-layer kernel check.
 */
import type { CheckPart, CheckReport } from './check.worker';
import type { SeedCnnReport } from './seed-cnn-check';

declare global {
  interface Window {
    __conv3x3Check?: CheckReport | SeedCnnReport | { error: string };
  }
}

const part: CheckPart =
  new URLSearchParams(location.search).get('part') === 'seed-cnn' ? 'seed-cnn' : 'kernels';
const worker = new Worker(new URL('./check.worker.ts', import.meta.url), { type: 'module' });
worker.postMessage(part);
worker.onmessage = (event: MessageEvent<CheckReport | SeedCnnReport>) => {
  window.__conv3x3Check = event.data;
  document.getElementById('out')!.textContent = JSON.stringify(event.data, null, 2);
};
worker.onerror = (event) => {
  window.__conv3x3Check = { error: event.message || 'worker failed to load' };
};
