/**
 * Where a seed-CNN training step's time goes on tfjs-backend-wasm in Node (the same SIMD
 * XNNPACK kernels as the browser's single-thread binary). Run:
 *   node bench/training-profile-node.mjs
 * env: BATCH_SIZE (64), STEPS (3 profiled steps after 1 warm-up), BACKEND (wasm | cpu),
 *      WASM_GRADIENTS (1; 0 = without the WASM training speed-ups, the baseline),
 *      CONV_KERNELS (auto; off = tfjs's own convolutions, simd128, relaxed: our kernels).
 *
 * Prints the kernels of one `trainOnBatch` grouped by kernel name and by kernel + input
 * shapes (which names the layer), with their share of the summed kernel time, and the wall
 * time of the steps. Kernel times are the backend's own synchronous timings (performance.now
 * around each WASM call), so they add up to less than the wall time: the gap is tfjs's
 * JavaScript (tape, gradients bookkeeping, tensor allocation).
 */
import * as tf from '@tensorflow/tfjs';
import { createSeedCnn } from '../src/model/architectures';
import { initBackend } from '../src/training/backend/backend';
import type { BackendName, WasmConvKernelChoice } from '../src/training/run-types';
import { kernelWithShapes, type KernelTally, tallyKernels } from './kernel-times';
import { loadRealBatch } from './real-batch';

const BATCH_SIZE = Number(process.env.BATCH_SIZE ?? 64);
const STEPS = Number(process.env.STEPS ?? 3);
const BACKEND = (process.env.BACKEND ?? 'wasm') as BackendName;
const WASM_GRADIENTS = process.env.WASM_GRADIENTS !== '0';
const CONV_KERNELS = (process.env.CONV_KERNELS ?? 'auto') as WasmConvKernelChoice;

interface Row {
  kernel: string;
  calls: number;
  ms: number;
  share: string;
}

function table(groups: KernelTally, totalMs: number, top = 25) {
  const rows: Row[] = [...groups]
    .map(([kernel, g]) => ({
      kernel,
      calls: g.calls / STEPS,
      ms: Number((g.ms / STEPS).toFixed(1)),
      share: `${((100 * g.ms) / totalMs).toFixed(1)}%`,
    }))
    .sort((a, b) => b.ms - a.ms);
  console.table(rows.slice(0, top));
}

export async function runTrainingProfile(): Promise<void> {
  await initBackend(
    {
      preference: BACKEND,
      allowSoftwareWebgl: false,
      wasmGradientRewrites: WASM_GRADIENTS,
      wasmConvKernels: CONV_KERNELS,
    },
    'main-thread',
  );
  const { xs, ys } = loadRealBatch(BATCH_SIZE);
  const model = createSeedCnn({ seed: 42 });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.trainOnBatch(xs, ys); // warm-up: XNNPACK operator creation, weight-sized buffers

  const byKernel: KernelTally = new Map();
  const byShape: KernelTally = new Map();
  let kernelMs = 0;
  const startMs = performance.now();
  const cpuStart = process.cpuUsage();
  for (let step = 0; step < STEPS; step++) {
    const info = await tf.profile(async () => {
      await model.trainOnBatch(xs, ys);
    });
    kernelMs += tallyKernels(info.kernels, byKernel, (k) => k.name);
    tallyKernels(info.kernels, byShape, kernelWithShapes);
  }
  const wallMs = performance.now() - startMs;
  const cpu = process.cpuUsage(cpuStart);
  model.dispose();
  tf.dispose([xs, ys]);
  console.log(
    `${BACKEND}, batch ${BATCH_SIZE}, ${STEPS} profiled steps: wall ${(wallMs / STEPS).toFixed(0)} ms/step ` +
      `(${((STEPS * BATCH_SIZE) / (wallMs / 1000)).toFixed(1)} samples/s, profiling included), ` +
      `process CPU ${((cpu.user + cpu.system) / 1000 / STEPS).toFixed(0)} ms/step, ` +
      `kernels ${(kernelMs / STEPS).toFixed(0)} ms/step`,
  );
  console.log('\nBy kernel (per step):');
  table(byKernel, kernelMs);
  console.log('\nBy kernel and input shapes (per step), top 30:');
  table(byShape, kernelMs, 30);
}
