/**
 * What the caller of a kernel pool (conv3x3-pool.ts) and its helpers (conv3x3-pool.worker.ts)
 * share: the control block through which a job crosses, the deal word from which every thread
 * takes units of the job (conv3x3-jobs.ts: images, or a filter gradient's blocks), and the
 * start message.
 *
 * No thread waits for another at a barrier. The caller publishes a job and starts on it; a
 * helper that wakes takes units while any are left; the caller waits only until every unit
 * taken has been computed. A helper that the OS descheduled (another tab, a busy core) simply
 * takes fewer units, or none, and costs nothing. The deal word carries the job's generation,
 * so a helper that wakes after its job is over can never take units of the next one.
 */
import { CONV_ALGORITHMS, type ConvShape } from './conv3x3-geometry';
import {
  unitsOf,
  type ConvJob,
  type FilterGradientJob,
  type ForwardJob,
  type JobUnit,
  type PartDealer,
} from './conv3x3-jobs';

/**
 * Int32 slots of the control block. GENERATION counts jobs (only the caller writes it);
 * COMPLETED counts the current job's computed units; FAILED is set when a part threw; EXIT
 * stops the helpers; IMAGES_BY_PART + p counts part p's images since the pool started (for the
 * benchmarks); JOB holds the job (writeJob).
 */
export const CONTROL = {
  GENERATION: 0,
  COMPLETED: 1,
  FAILED: 3,
  EXIT: 4,
  JOB: 8,
  IMAGES_BY_PART: 56,
  MAX_PARTS: 16,
  LENGTH: 72,
} as const;

const SHAPE_FIELDS = [
  'batch',
  'inHeightPx',
  'inWidthPx',
  'inChannels',
  'outHeightPx',
  'outWidthPx',
  'outChannels',
  'padTopPx',
  'padLeftPx',
] as const;
const FORWARD_FIELDS = [
  'input',
  'packedFilter',
  'bias',
  'output',
  'zero',
  'scratch',
  'scratchStrideBytes',
] as const;
const FILTER_GRADIENT_FIELDS = [
  'input',
  'outputGradient',
  'filterGradient',
  'zero',
  'scratch',
  'scratchStrideBytes',
  'bandRows',
] as const;

/** Writes `job` into the control block's job slots. */
export function writeJob(control: Int32Array, job: ConvJob): void {
  let i: number = CONTROL.JOB;
  control[i++] = job.kind === 'forward' ? 1 : 2;
  control[i++] = CONV_ALGORITHMS.indexOf(job.algorithm);
  for (const field of SHAPE_FIELDS) control[i++] = job.shape[field];
  if (job.kind === 'forward') {
    for (const field of FORWARD_FIELDS) control[i++] = job[field];
    control[i] = job.relu ? 1 : 0;
  } else {
    for (const field of FILTER_GRADIENT_FIELDS) control[i++] = job[field];
  }
}

/**
 * The job in the control block. A helper that reads it while the caller writes the next one
 * gets a mix of both; it never acts on it, because its dealer then refuses (the deal word
 * moved to the next generation before the caller started writing).
 */
export function readJob(control: Int32Array): ConvJob {
  let i: number = CONTROL.JOB;
  const kind = control[i++] === 1 ? 'forward' : 'filter-gradient';
  const algorithm = CONV_ALGORITHMS[control[i++]];
  const shape = {} as ConvShape;
  for (const field of SHAPE_FIELDS) shape[field] = control[i++];
  const fields = kind === 'forward' ? FORWARD_FIELDS : FILTER_GRADIENT_FIELDS;
  const values: Record<string, number> = {};
  for (const field of fields) values[field] = control[i++];
  if (kind === 'forward') {
    return { kind, algorithm, shape, ...values, relu: control[i] === 1 } as ForwardJob;
  }
  return { kind, algorithm, shape, ...values } as FilterGradientJob;
}

/** The deal word: generation in the high 32 bits, the next unit to hand out in the low 32. */
export function dealWord(generation: number, nextUnit: number): bigint {
  return (BigInt(generation) << 32n) | BigInt(nextUnit);
}

/** Counts `count` units of the current job as computed; wakes the caller at the last. */
function complete(control: Int32Array, count: number, units: number): void {
  if (count > 0 && Atomics.add(control, CONTROL.COMPLETED, count) + count >= units) {
    Atomics.notify(control, CONTROL.COMPLETED);
  }
}

/** A part's dealer over the deal word, plus what to do when the part fails. */
export interface PoolDealer extends PartDealer {
  /** Marks the job failed, closes the deal and counts what will not be computed. */
  fail(): void;
}

/**
 * Part `part`'s dealer for `job` of `generation`. One unit per take (one image of a
 * forward-type job): a helper that the OS runs at a fraction of a core (a loaded machine) then
 * holds up the caller for at most one unit; larger first takes measured slower than one thread
 * there. A take is one compare-and-swap, and a kernel call per image costs no more than per
 * chunk (Winograd clears its scratch only on a part's first call).
 */
export function createPoolDealer(
  control: Int32Array,
  deal: BigInt64Array,
  generation: number,
  part: number,
  job: Pick<ConvJob, 'kind' | 'shape'>,
): PoolDealer {
  const units = unitsOf(job);
  let inFlight = 0;
  const isOurs = (word: bigint) => Number(word >> 32n) === generation;
  return {
    next(): JobUnit | null {
      for (;;) {
        const word = Atomics.load(deal, 0);
        const unit = Number(word & 0xffffffffn);
        if (!isOurs(word) || unit >= units.count) return null;
        if (Atomics.compareExchange(deal, 0, word, word + 1n) !== word) continue;
        const taken = units.imagesOf(unit);
        Atomics.add(control, CONTROL.IMAGES_BY_PART + part, taken.count);
        inFlight = 1;
        return taken;
      }
    },
    done() {
      inFlight = 0;
      complete(control, 1, units.count);
    },
    fail() {
      Atomics.store(control, CONTROL.FAILED, 1);
      for (;;) {
        const word = Atomics.load(deal, 0);
        const unit = Number(word & 0xffffffffn);
        if (!isOurs(word) || unit >= units.count) break;
        if (Atomics.compareExchange(deal, 0, word, dealWord(generation, units.count)) === word) {
          complete(control, units.count - unit, units.count);
          break;
        }
      }
      complete(control, inFlight, units.count);
      inFlight = 0;
    },
  };
}

/** Messages from the caller to a helper, once, at start. */
export interface HelperStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: Int32Array;
  deal: BigInt64Array;
  part: number;
}

/** A helper's answer to HelperStart. */
export type HelperMessage = { kind: 'ready' } | { kind: 'failed'; message: string };
