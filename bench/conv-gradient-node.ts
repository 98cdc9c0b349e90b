/**
 * Seed-CNN training throughput in Node with and without the conv2d-only Conv2D gradient, on
 * tfjs's cpu backend and on the WASM backend. Run: `node bench/conv-gradient-node.mjs`.
 * Prints one line per configuration; numbers go into BENCHMARKS.md and docs/backends.md.
 */
import * as tf from '@tensorflow/tfjs';
import { createSeedCnn } from '../src/model/architectures';
import { initBackend } from '../src/training/backend/backend';
import { setConvGradientRewrite } from '../src/training/backend/conv-gradient';
import type { BackendName } from '../src/training/run-types';
import { loadRealBatch } from './real-batch';

const BATCH_SIZE = 64;
const WARMUP_BATCHES = Number(process.env.WARMUP_BATCHES ?? 1);
const TIMED_BATCHES = Number(process.env.TIMED_BATCHES ?? 4);
const SEED = 42;

/** Samples per second over TIMED_BATCHES batches of BATCH_SIZE after a warm-up. */
async function measure(backend: BackendName, withRewrite: boolean): Promise<string> {
  await initBackend(
    { preference: backend, allowSoftwareWebgl: false, convGradientRewrite: withRewrite },
    'main-thread',
  );
  if (tf.getBackend() !== backend) return `${backend}: not available`;
  setConvGradientRewrite(withRewrite);
  const batches = WARMUP_BATCHES + TIMED_BATCHES;
  const { xs, ys } = loadRealBatch(BATCH_SIZE * batches);
  const model = createSeedCnn({ seed: SEED });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  let startMs = 0;
  let loss = NaN;
  try {
    for (let b = 0; b < batches; b++) {
      if (b === WARMUP_BATCHES) startMs = performance.now();
      const [bx, by] = tf.tidy(() => [
        xs.slice(b * BATCH_SIZE, BATCH_SIZE),
        ys.slice(b * BATCH_SIZE, BATCH_SIZE),
      ]);
      const result = await model.trainOnBatch(bx, by);
      loss = (result as number[])[0];
      tf.dispose([bx, by]);
    }
  } catch (error) {
    return `${backend} rewrite=${withRewrite}: throws "${error instanceof Error ? error.message : String(error)}"`;
  } finally {
    model.dispose();
    tf.dispose([xs, ys]);
  }
  const seconds = (performance.now() - startMs) / 1000;
  const samplesPerSec = (TIMED_BATCHES * BATCH_SIZE) / seconds;
  return `${backend} rewrite=${withRewrite}: ${samplesPerSec.toFixed(1)} samples/s (${(seconds / TIMED_BATCHES).toFixed(2)} s/batch of ${BATCH_SIZE}, last loss ${loss.toFixed(3)})`;
}

export async function runConvGradientBenchmark(): Promise<void> {
  const configs: [BackendName, boolean][] = [
    ['cpu', false],
    ['cpu', true],
    ['wasm', true],
    ['wasm', false],
  ];
  const only = process.env.ONLY;
  for (const [backend, withRewrite] of configs) {
    if (only && only !== `${backend}-${withRewrite}`) continue;
    console.log(await measure(backend, withRewrite));
  }
}
