/**
 * The six-architecture experiment on the page: before it starts, what it will do and how long
 * it should take on this machine (an estimate, and said to be one); while it runs, one progress
 * view for the whole experiment; after a reload, a Stop or a failure, where it stands and
 * Continue. Loaded lazily, like everything the first screen does not show.
 */
import type { LoadedSplit } from '../../data/ingest-types';
import { ARCHITECTURES, getArchitectureInfo } from '../../model/architecture-catalog';
import { countsOfDatasetKey } from '../../storage/dataset-store';
import type { ExperimentState } from '../../storage/experiment-store';
import type { RunRecord } from '../../storage/run-store';
import type { BatchMetrics } from '../../training/run-types';
import type { TrainingParams } from '../../training/training-params';
import { formatCount, formatDuration, formatPercent } from '../format';
import {
  estimateExperiment,
  pickThroughput,
  type ExperimentEstimate,
  type MeasuredThroughput,
} from './experiment-estimate';
import {
  useMeasuredThroughput,
  type ThroughputMeasurement,
  type ThroughputMeter,
} from './use-measured-throughput';
import type { ExperimentController } from './use-experiment';

export interface ExperimentPanelProps {
  controller: ExperimentController;
  runs: readonly RunRecord[];
  /** Rows of the loaded splits; null until both are loaded. */
  counts: { train: number; test: number } | null;
  /** The loaded splits, for measuring this machine's speed when no run was timed. */
  splits: { train?: LoadedSplit; test?: LoadedSplit };
  /** How the page trains, for that measurement (none: no measurement, no estimate). */
  meter?: ThroughputMeter;
  /** The run training now (its settings and latest batch), for the progress view. */
  current: { params?: TrainingParams; lastBatch?: BatchMetrics };
  /** Whether a run may start now (data loaded, no run under way, no other tab training). */
  canStart: boolean;
  /** The loaded data's dataset key, to tell whether the experiment's data is loaded. */
  loadedDatasetKey: string | null;
}

export function ExperimentPanel(props: ExperimentPanelProps) {
  const { controller } = props;
  const { experiment } = controller;
  return (
    <div className="experiment" role="group" aria-label="Six-architecture experiment">
      {controller.pending && <ExperimentConfirm {...props} params={controller.pending} />}
      {experiment && controller.isRunning && (
        <ExperimentProgress {...props} experiment={experiment} />
      )}
      {experiment && !controller.isRunning && (
        <ExperimentInterrupted {...props} experiment={experiment} />
      )}
      {!experiment && controller.finishedId && (
        <p role="status" className="muted">
          The six runs are done: compare them in the Runs table below.
        </p>
      )}
      {controller.problem && (
        <p role="alert" className="alert">
          {controller.problem}
        </p>
      )}
    </div>
  );
}

/** What the estimate rests on, in words. */
function describeMeasurement(measured: MeasuredThroughput): string {
  const speed = `${formatCount(Math.round(measured.samplesPerSec))} images/s`;
  const what = getArchitectureInfo(measured.architectureId).label;
  return measured.source.kind === 'steps'
    ? `${speed} measured just now over ${measured.source.steps} training steps of ${what} on ${measured.backend} (after ${measured.source.warmUpSteps} warm-up steps)`
    : `${speed} measured with ${what} on ${measured.backend}`;
}

/** "About 1 h 20 min", with what the estimate rests on. */
function EstimateText({ measured, params, counts }: EstimateInputs) {
  const estimate = estimateExperiment(params, counts, measured);
  return (
    <p>
      <strong>Estimated time: about {formatDuration(estimate.totalMs)}</strong> on this machine.{' '}
      <span className="muted small">
        An estimate: {describeMeasurement(measured)}, scaled to each architecture by its
        multiply-adds per image; small models gain less than it says.
        {measured.backend.startsWith('webgl')
          ? ''
          : ' Without a GPU this takes long: the tab must stay open.'}
      </span>
    </p>
  );
}

interface EstimateInputs {
  measured: MeasuredThroughput;
  params: TrainingParams;
  counts: { train: number; test: number };
}

/** A kept run's speed when there is one, else the measurement's state. */
function EstimateLine({
  params,
  props,
  measurement,
}: {
  params: TrainingParams;
  props: ExperimentPanelProps;
  measurement: ThroughputMeasurement;
}) {
  const { counts } = props;
  if (!counts) return null;
  const measured =
    pickThroughput(props.runs) ?? (measurement.kind === 'measured' ? measurement.throughput : null);
  if (measured) return <EstimateText measured={measured} params={params} counts={counts} />;
  if (measurement.kind === 'measuring') {
    return (
      <p role="status">
        Measuring this machine&apos;s speed for the estimate: a few training steps of{' '}
        {getArchitectureInfo(measurement.architectureId).label} on the loaded images…
      </p>
    );
  }
  return (
    <p>
      {measurement.kind === 'failed'
        ? `This machine's speed could not be measured (${measurement.message}), so there is no estimate`
        : 'No run has been timed in this browser yet, so there is no estimate'}
      : start, and the progress view will estimate the time left from the first run&apos;s speed.
    </p>
  );
}

function ExperimentConfirm({
  params,
  ...props
}: ExperimentPanelProps & { params: TrainingParams }) {
  const { controller, splits } = props;
  // Measured only when no kept run gives a speed, and only while a run could start.
  const needsMeasuring = props.canStart && pickThroughput(props.runs) === null;
  const measurement = useMeasuredThroughput(
    props.meter,
    needsMeasuring && splits.train && splits.test
      ? { params, train: splits.train, test: splits.test }
      : null,
  );
  return (
    <div className="experiment-confirm" role="group" aria-label="Confirm the experiment">
      <p>
        Trains each of the six architectures in turn, from 1 · Conv64 → Pool4 to 6 · Seed CNN, with
        the settings above ({params.epochs} epochs of batch {params.batchSize}), and adds each to
        the runs table. It continues after a reload.
      </p>
      <EstimateLine params={params} props={props} measurement={measurement} />
      <div className="buttons">
        <button
          type="button"
          disabled={!props.canStart || measurement.kind === 'measuring'}
          onClick={controller.start}
        >
          Start the six runs
        </button>
        <button type="button" onClick={controller.cancelPrepare}>
          Cancel
        </button>
      </div>
    </div>
  );
}

type ArchitectureStatus = { kind: 'done'; run: RunRecord } | { kind: 'now' } | { kind: 'waiting' };

function statusOf(
  experiment: ExperimentState,
  runs: readonly RunRecord[],
  index: number,
): ArchitectureStatus {
  const run = [...runs]
    .reverse()
    .find(
      (r) =>
        r.experimentId === experiment.id &&
        r.end === 'completed' &&
        r.trainingParams.architectureId === experiment.architectureIds[index],
    );
  if (run) return { kind: 'done', run };
  return index === experiment.nextIndex ? { kind: 'now' } : { kind: 'waiting' };
}

/** The six, each done (with its test accuracy), training now, or waiting. */
function ArchitectureList({
  experiment,
  runs,
  isRunning,
}: {
  experiment: ExperimentState;
  runs: readonly RunRecord[];
  isRunning: boolean;
}) {
  return (
    <ol className="experiment-list" aria-label="The six architectures">
      {experiment.architectureIds.map((id, index) => {
        const status = statusOf(experiment, runs, index);
        const label = getArchitectureInfo(id).label;
        const what =
          status.kind === 'done'
            ? `done, test accuracy ${formatPercent(status.run.testAccuracy)}`
            : status.kind === 'now'
              ? isRunning
                ? 'training now'
                : 'next'
              : 'waiting';
        return (
          <li key={id} className={`experiment-item experiment-item--${status.kind}`}>
            {label}: {what}
          </li>
        );
      })}
    </ol>
  );
}

/** Overall fraction done and time left, each run weighted by its estimated time. */
function overallProgress(
  experiment: ExperimentState,
  estimate: ExperimentEstimate | null,
  currentFraction: number,
): { fraction: number; leftMs: number } {
  const weights = experiment.architectureIds.map((id) => {
    const index = ARCHITECTURES.findIndex((a) => a.id === id);
    return estimate ? estimate.perArchitectureMs[index] : 1;
  });
  const total = weights.reduce((a, b) => a + b, 0);
  const done = weights.slice(0, experiment.nextIndex).reduce((a, b) => a + b, 0);
  const currentWeight = weights[experiment.nextIndex] ?? 0;
  const left = total - done - currentWeight * currentFraction;
  return { fraction: (total - left) / total, leftMs: estimate ? left : NaN };
}

function ExperimentProgress({
  experiment,
  ...props
}: ExperimentPanelProps & { experiment: ExperimentState }) {
  const { lastBatch, params } = props.current;
  const architectureId = experiment.architectureIds[experiment.nextIndex];
  const isCurrentRun = params?.architectureId === architectureId && lastBatch !== undefined;
  const totalBatches = isCurrentRun ? lastBatch.batchesPerEpoch * params.epochs : 0;
  const batchesDone = isCurrentRun
    ? lastBatch.epoch * lastBatch.batchesPerEpoch + lastBatch.batch + 1
    : 0;
  const currentFraction = totalBatches > 0 ? batchesDone / totalBatches : 0;
  // The live speed of the run under way, else the measurement the estimate started from.
  const measured = isCurrentRun
    ? {
        architectureId,
        samplesPerSec: lastBatch.samplesPerSec,
        backend: '',
        source: { kind: 'run' } as const,
      }
    : pickThroughput(props.runs);
  const estimate =
    measured && props.counts && measured.samplesPerSec > 0
      ? estimateExperiment(experiment.params, props.counts, measured)
      : null;
  const { fraction, leftMs } = overallProgress(experiment, estimate, currentFraction);
  return (
    <div className="experiment-progress">
      <p>
        <strong>
          Experiment: architecture {experiment.nextIndex + 1} of {experiment.architectureIds.length}
        </strong>{' '}
        · {getArchitectureInfo(architectureId).label} · {Math.round(fraction * 100)}% of the
        experiment done · time left{' '}
        {Number.isFinite(leftMs) ? `about ${formatDuration(leftMs)} (estimate)` : '–'}
      </p>
      <progress aria-label="Experiment progress" max={1000} value={Math.round(fraction * 1000)} />
      <ArchitectureList experiment={experiment} runs={props.runs} isRunning />
    </div>
  );
}

function ExperimentInterrupted({
  experiment,
  ...props
}: ExperimentPanelProps & { experiment: ExperimentState }) {
  const { controller } = props;
  const hasData = props.loadedDatasetKey === experiment.datasetKey;
  const expected = countsOfDatasetKey(experiment.datasetKey);
  return (
    <div className="experiment-interrupted">
      <p>
        <strong>
          The six-architecture experiment stopped at architecture {experiment.nextIndex + 1} of{' '}
          {experiment.architectureIds.length}.
        </strong>{' '}
        Continue it to train the rest with the same settings ({experiment.params.epochs} epochs of
        batch {experiment.params.batchSize}).
      </p>
      {!hasData && expected && (
        <p className="muted small">
          Load the data it trains on first: {formatCount(expected.train)} training and{' '}
          {formatCount(expected.test)} test images, the same files.
        </p>
      )}
      <ArchitectureList experiment={experiment} runs={props.runs} isRunning={false} />
      <div className="buttons">
        <button
          type="button"
          disabled={!props.canStart || !hasData}
          onClick={controller.continueExperiment}
        >
          Continue the experiment
        </button>
        <button type="button" onClick={controller.end}>
          End the experiment
        </button>
      </div>
    </div>
  );
}
