/**
 * A throughput for the experiment's estimate when no run has been timed in this browser yet:
 * a few training steps of the costliest architecture with the form's settings, on the loaded
 * images, through a training session like the page's (the same engine, and the backend chosen
 * the same way, so the one the runs will get). The first steps are left out of the timing:
 * they build the model and compile kernels or shaders, which a run pays once, not per step.
 */
import type { LoadedSplit } from '../../data/ingest-types';
import { ARCHITECTURES, type ArchitectureId } from '../../model/architecture-catalog';
import type { BatchMetrics, BackendRequest, SplitArrays } from '../../training/run-types';
import type { TrainingParams } from '../../training/training-params';
import type { TrainingSession } from '../../training/training-session-types';
import { multiplyAddsPerImage, type MeasuredThroughput } from './experiment-estimate';

/** Steps run before the timing starts (model build, kernel and shader compilation). */
export const WARM_UP_STEPS = 2;
/** Steps timed after the warm-up. */
export const TIMED_STEPS = 4;

const PIXELS_PER_IMAGE = 28 * 28;

/**
 * The architecture with the most multiply-adds per image, where per-step overhead matters
 * least; of equals the later one (BatchNorm adds work the count leaves out).
 */
export function costliestArchitecture(): ArchitectureId {
  return ARCHITECTURES.map((a) => a.id).reduce((best, id) =>
    multiplyAddsPerImage(id) >= multiplyAddsPerImage(best) ? id : best,
  );
}

/** The first `rows` images and labels of `split`, copied (only they cross to the worker). */
function firstRows(split: LoadedSplit, rows: number): SplitArrays {
  const count = Math.min(rows, split.count);
  return {
    images: split.images.slice(0, count * PIXELS_PER_IMAGE),
    labels: split.labels.slice(0, count),
  };
}

/**
 * The run that takes the measurement: rows for the warm-up and timed steps (as many epochs as
 * a small training split needs to give them), a test set of one batch, since the engine
 * evaluates one at the end.
 */
export function measurementRun(
  params: TrainingParams,
  data: { train: LoadedSplit; test: LoadedSplit },
): { params: TrainingParams; data: { train: SplitArrays; test: SplitArrays } } {
  const steps = WARM_UP_STEPS + TIMED_STEPS;
  const trainingShare = 1 - params.validationFraction;
  const rows = Math.ceil((steps * params.batchSize) / trainingShare) + 1;
  const train = firstRows(data.train, rows);
  const trainingRows = Math.max(1, Math.trunc(train.labels.length * trainingShare));
  const stepsPerEpoch = Math.ceil(trainingRows / params.batchSize);
  return {
    params: {
      ...params,
      architectureId: costliestArchitecture(),
      epochs: Math.ceil(steps / stepsPerEpoch),
    },
    data: { train, test: firstRows(data.test, params.batchSize) },
  };
}

/** Training images per second between two batch reports, from the engine's own clock. */
export function throughputBetween(from: BatchMetrics, to: BatchMetrics): number {
  const ms = to.elapsedMs - from.elapsedMs;
  return ms > 0 ? ((to.samplesSeen - from.samplesSeen) * 1000) / ms : 0;
}

/**
 * Runs the measurement on `session` and stops it once the timed steps are done. Rejects with
 * the engine's message when the run fails, and with an AbortError when `signal` aborts first.
 */
export async function measureThroughput(
  session: Pick<TrainingSession, 'start' | 'stop'>,
  backendRequest: BackendRequest,
  run: ReturnType<typeof measurementRun>,
  signal: AbortSignal,
): Promise<MeasuredThroughput> {
  const reports: BatchMetrics[] = [];
  let backend = '';
  const stop = () => session.stop();
  signal.addEventListener('abort', stop);
  try {
    const result = await session.start(run.data, run.params, backendRequest, {
      onBackend: (info) => {
        backend = info.name + (info.path === 'main-thread' ? ' (main thread)' : '');
        // A stop sent before the run reached its worker is lost: say it again.
        if (signal.aborted) stop();
      },
      onBatch: (batch) => {
        reports.push(batch);
        if (reports.length === WARM_UP_STEPS + TIMED_STEPS || signal.aborted) stop();
      },
    });
    signal.throwIfAborted();
    if (result.end === 'failed') throw new Error(result.errorMessage ?? 'the run failed');
    const from = reports[WARM_UP_STEPS - 1];
    const to = reports[WARM_UP_STEPS + TIMED_STEPS - 1];
    const samplesPerSec = from && to ? throughputBetween(from, to) : 0;
    if (!(samplesPerSec > 0)) throw new Error('the steps were not timed');
    return {
      architectureId: run.params.architectureId,
      samplesPerSec,
      backend,
      source: { kind: 'steps', steps: TIMED_STEPS, warmUpSteps: WARM_UP_STEPS },
    };
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
