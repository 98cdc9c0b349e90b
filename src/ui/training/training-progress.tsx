import { describeConvKernels } from '../../training/backend/wasm-conv3x3-label';
import type { BackendInfo, BatchMetrics } from '../../training/run-types';
import type { TrainingParams } from '../../training/training-params';
import { formatCount, formatDuration } from '../format';
import type { TrainingStatus } from './training-state';

const STATUS_TEXT: Record<TrainingStatus, string> = {
  idle: 'Not started',
  starting: 'Starting (choosing a backend, building the model)…',
  running: 'Training',
  paused: 'Paused',
  stopping: 'Stopping at the end of this batch…',
  evaluating: 'Evaluating on the test set…',
  finished: 'Finished',
  failed: 'Failed',
};

export function describeBackend(backend: BackendInfo): string {
  const where = backend.path === 'worker' ? 'in a Web Worker' : 'on the main thread';
  const parts = [`${backend.name.toUpperCase()} ${where}`];
  if (backend.renderer) parts.push(`renderer: ${backend.renderer}`);
  if (backend.name === 'webgl' && backend.isSoftwareRenderer)
    parts.push('this is a software renderer (no GPU): training will be very slow');
  if (backend.name === 'wasm') {
    parts.push(
      `${backend.wasmThreads ?? 1} thread${(backend.wasmThreads ?? 1) === 1 ? '' : 's'}${backend.wasmSimd ? ', SIMD' : ''}`,
    );
    parts.push(`convolutions: ${describeConvKernels(backend.wasmConvKernels)}`);
  }
  return parts.join(' · ');
}

/** Epoch i of N, batch j of M, samples per second, time left. */
export function TrainingProgress({
  status,
  params,
  backend,
  lastBatch,
}: {
  status: TrainingStatus;
  params?: TrainingParams;
  backend?: BackendInfo;
  lastBatch?: BatchMetrics;
}) {
  if (status === 'idle' || !params) return null;
  const totalBatches = lastBatch ? lastBatch.batchesPerEpoch * params.epochs : 0;
  const batchesDone = lastBatch
    ? lastBatch.epoch * lastBatch.batchesPerEpoch + lastBatch.batch + 1
    : 0;
  const msPerBatch = lastBatch && batchesDone > 0 ? lastBatch.elapsedMs / batchesDone : NaN;
  const timeLeftMs = (totalBatches - batchesDone) * msPerBatch;
  return (
    <div className="training-progress">
      {/* Changes four times a second: not spoken (aria-live off); TrainingAnnouncer speaks. */}
      <p role="status" aria-live="off">
        <strong>{STATUS_TEXT[status]}</strong>
        {lastBatch && (
          <>
            {' '}
            · Epoch {lastBatch.epoch + 1} of {params.epochs} · Batch {lastBatch.batch + 1} of{' '}
            {formatCount(lastBatch.batchesPerEpoch)} · {lastBatch.samplesPerSec.toFixed(1)}{' '}
            samples/s · elapsed {formatDuration(lastBatch.elapsedMs)} · time left{' '}
            {status === 'running' ? formatDuration(timeLeftMs) : '–'}
          </>
        )}
      </p>
      <progress
        aria-label="Training progress"
        max={Math.max(1, totalBatches)}
        value={batchesDone}
      />
      {backend && (
        <p className="muted" data-testid="backend-info">
          Backend: {describeBackend(backend)}. {backend.reason}
        </p>
      )}
    </div>
  );
}
