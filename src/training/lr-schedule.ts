/**
 * Learning-rate schedules as closed forms of the training step, so the rate of any step is
 * known without running the ones before it: a resumed run sets exactly the rate the
 * uninterrupted run would, and the form can preview a run's rates before it starts.
 */

/** How the learning rate moves over a run; the run's `learningRate` is its peak. */
export type LrScheduleKind = 'constant' | 'step' | 'cosine' | 'one-cycle';

export const LR_SCHEDULES: readonly { id: LrScheduleKind; label: string }[] = [
  { id: 'constant', label: 'Constant' },
  { id: 'step', label: 'Step decay (×0.1 at 50 % and 75 % of the run)' },
  { id: 'cosine', label: 'Cosine (to 0)' },
  { id: 'one-cycle', label: 'One-cycle (warm-up, then anneal)' },
];

/** Fractions of the run after which step decay multiplies the rate by STEP_DECAY_FACTOR. */
export const STEP_DECAY_MILESTONES = [0.5, 0.75] as const;
export const STEP_DECAY_FACTOR = 0.1;
/** One-cycle: share of the steps spent warming up, and the start and end rates as divisors. */
export const ONE_CYCLE_WARMUP_FRACTION = 0.3;
export const ONE_CYCLE_START_DIVISOR = 25;
export const ONE_CYCLE_END_DIVISOR = 1e4;

export interface LrScheduleShape {
  kind: LrScheduleKind;
  /** The peak (constant: the only) rate. */
  learningRate: number;
  epochs: number;
  stepsPerEpoch: number;
}

/** Half a cosine from `from` (at t = 0) to `to` (at t = 1). */
const cosineBetween = (from: number, to: number, t: number) =>
  to + ((from - to) * (1 + Math.cos(Math.PI * t))) / 2;

/** The learning rate of 0-based training step `step` (counted over the whole run). */
export function learningRateAt(shape: LrScheduleShape, step: number): number {
  const { kind, learningRate: peak, epochs, stepsPerEpoch } = shape;
  const totalSteps = Math.max(1, epochs * stepsPerEpoch);
  switch (kind) {
    case 'constant':
      return peak;
    case 'step': {
      const epoch = Math.floor(step / stepsPerEpoch);
      const passed = STEP_DECAY_MILESTONES.filter((m) => epoch >= Math.round(m * epochs)).length;
      return peak * STEP_DECAY_FACTOR ** passed;
    }
    case 'cosine':
      return cosineBetween(peak, 0, step / totalSteps);
    case 'one-cycle': {
      const warmupSteps = Math.round(ONE_CYCLE_WARMUP_FRACTION * totalSteps);
      if (step < warmupSteps) {
        return cosineBetween(peak / ONE_CYCLE_START_DIVISOR, peak, step / warmupSteps);
      }
      const t = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
      return cosineBetween(peak, peak / ONE_CYCLE_END_DIVISOR, t);
    }
  }
}
