/**
 * How long the six-architecture experiment will take on this machine, before it starts: a
 * measured throughput (training images per second of one architecture, from the current or a
 * kept run) scaled to each architecture by its multiply-adds per image, a cost computed from
 * the layer table with nothing fitted. It is an estimate: small models spend relatively more
 * time outside their arithmetic (per-batch overhead), so theirs is the least sure.
 */
import { describeArchitectureLayers } from '../../export/layer-table';
import { ARCHITECTURES, type ArchitectureId } from '../../model/architecture-catalog';
import type { TrainingParams } from '../../training/training-params';

/** One forward pass of one image: multiply-adds of its convolutions and dense layers. */
export function multiplyAddsPerImage(id: ArchitectureId): number {
  return describeArchitectureLayers(id).reduce((total, layer) => {
    const { spec, inputShape, outputShape } = layer;
    const inputChannels = inputShape[inputShape.length - 1];
    if (spec.kind === 'conv') {
      const kernelArea = layer.weights[0].shape[0] * layer.weights[0].shape[1];
      return total + outputShape.reduce((a, b) => a * b, 1) * kernelArea * inputChannels;
    }
    if (spec.kind === 'dense') return total + inputChannels * spec.units;
    // BatchNorm, pooling, dropout and flatten: a few operations per value, next to nothing.
    return total;
  }, 0);
}

/**
 * Where a throughput comes from: a kept run's average over the whole run, whose clock also ran
 * through its validation passes, or a few training steps timed just before the experiment
 * (measure-throughput.ts), which leave validation out, so the estimate adds it.
 */
export type ThroughputSource =
  { kind: 'run' } | { kind: 'steps'; steps: number; warmUpSteps: number };

/** A throughput measured on this machine. */
export interface MeasuredThroughput {
  architectureId: ArchitectureId;
  /** Training images per second. */
  samplesPerSec: number;
  /** Where it was measured, as the runs table words it ("wasm", "webgl"). */
  backend: string;
  source: ThroughputSource;
}

export interface ExperimentEstimate {
  /** Per architecture, in ARCHITECTURES order, ms. */
  perArchitectureMs: number[];
  totalMs: number;
}

/** A forward pass costs about a third of a training step (forward + backward). */
const FORWARD_SHARE_OF_TRAINING_STEP = 1 / 3;

/**
 * The time of each run of `architectureIds` with `params` on `trainCount` training rows and
 * `testCount` test rows, from `measured`: epochs of training on the rows left after
 * validation (and a forward pass over the validation rows per epoch, when `measured` did not
 * include them), then one forward pass over the test set.
 */
export function estimateExperiment(
  params: Pick<TrainingParams, 'epochs' | 'validationFraction'>,
  counts: { train: number; test: number },
  measured: MeasuredThroughput,
  architectureIds: readonly ArchitectureId[] = ARCHITECTURES.map((a) => a.id),
): ExperimentEstimate {
  const referenceCost = multiplyAddsPerImage(measured.architectureId);
  const trainingRows = counts.train * (1 - params.validationFraction);
  const validationRows =
    measured.source.kind === 'steps' ? counts.train * params.validationFraction : 0;
  const forwardRows = params.epochs * validationRows + counts.test;
  const perArchitectureMs = architectureIds.map((id) => {
    const samplesPerSec = (measured.samplesPerSec * referenceCost) / multiplyAddsPerImage(id);
    const trainingS = (params.epochs * trainingRows) / samplesPerSec;
    const forwardS = (forwardRows * FORWARD_SHARE_OF_TRAINING_STEP) / samplesPerSec;
    return (trainingS + forwardS) * 1000;
  });
  return { perArchitectureMs, totalMs: perArchitectureMs.reduce((a, b) => a + b, 0) };
}

/**
 * The measurement to estimate from: the kept runs of the backend the latest run used (the one
 * the experiment will most likely get), and of those the run of the costliest architecture, where
 * per-batch overhead distorts the least (the latest of equals). Null when no run was timed.
 */
export function pickThroughput(
  runs: readonly {
    trainingParams: { architectureId: ArchitectureId };
    samplesPerSec?: number;
    backend: string;
    id: number;
  }[],
): MeasuredThroughput | null {
  const timed = runs.filter((run) => (run.samplesPerSec ?? 0) > 0);
  const latest = timed.reduce<(typeof timed)[number] | null>(
    (best, run) => (!best || run.id > best.id ? run : best),
    null,
  );
  if (!latest) return null;
  const cost = (run: (typeof timed)[number]) =>
    multiplyAddsPerImage(run.trainingParams.architectureId);
  const chosen = timed
    .filter((run) => run.backend === latest.backend)
    .reduce((best, run) =>
      cost(run) > cost(best) || (cost(run) === cost(best) && run.id > best.id) ? run : best,
    );
  return {
    architectureId: chosen.trainingParams.architectureId,
    samplesPerSec: chosen.samplesPerSec ?? 0,
    backend: chosen.backend,
    source: { kind: 'run' },
  };
}
