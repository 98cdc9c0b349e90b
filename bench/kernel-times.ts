/**
 * Tallies `tf.profile` kernel records by a key (kernel name, or name + input shapes), for the
 * two step profilers: bench/training-profile-node.ts (Node) and bench/training-bench.ts
 * (the browser bench page).
 */
import type * as tf from '@tensorflow/tfjs';

/** Calls and summed kernel ms per key. */
export type KernelTally = Map<string, { calls: number; ms: number }>;

type KernelRecord = Awaited<ReturnType<typeof tf.profile>>['kernels'][number];

/** "Conv2D (64×28×28×64, 3×3×64×64)". */
export function kernelWithShapes(kernel: KernelRecord): string {
  const shapes = kernel.inputShapes
    .map((s: number[] | undefined) => (s ? s.join('×') : '?'))
    .join(', ');
  return `${kernel.name} (${shapes})`;
}

/**
 * Adds each kernel's time to `tally` under `keyOf(kernel)`; returns the kernels' total ms.
 * Kernel times are the backend's synchronous timings (0 where the backend reports none).
 */
export function tallyKernels(
  kernels: readonly KernelRecord[],
  tally: KernelTally,
  keyOf: (kernel: KernelRecord) => string,
): number {
  let totalMs = 0;
  for (const k of kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    totalMs += ms;
    const key = keyOf(k);
    const entry = tally.get(key) ?? { calls: 0, ms: 0 };
    entry.calls += 1;
    entry.ms += ms;
    tally.set(key, entry);
  }
  return totalMs;
}
