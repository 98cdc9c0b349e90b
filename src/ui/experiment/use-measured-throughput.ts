/**
 * The experiment's measurement (measure-throughput.ts) while its confirmation is shown: on a
 * training session of its own, so the page's session and its state stay untouched, and gone
 * (stopped, its worker ended) when the confirmation goes or what it measured changes.
 */
import { useEffect, useState } from 'react';
import type { LoadedSplit } from '../../data/ingest-types';
import type { ArchitectureId } from '../../model/architecture-catalog';
import { errorMessage } from '../../shared/errors';
import type { BackendRequest } from '../../training/run-types';
import type { TrainingParams } from '../../training/training-params';
import type { TrainingSession } from '../../training/training-session-types';
import type { MeasuredThroughput } from './experiment-estimate';
import { costliestArchitecture, measureThroughput, measurementRun } from './measure-throughput';

/** How to train as the page does: its session factory and backend request. */
export interface ThroughputMeter {
  createSession: () => TrainingSession;
  backendRequest: BackendRequest;
}

export type ThroughputMeasurement =
  | { kind: 'none' }
  | { kind: 'measuring'; architectureId: ArchitectureId }
  | { kind: 'measured'; throughput: MeasuredThroughput }
  | { kind: 'failed'; message: string };

type MeasurementRequest = { params: TrainingParams; train: LoadedSplit; test: LoadedSplit };

/** A finished measurement, with what it measured (a newer request makes it stale). */
interface Outcome {
  meter: ThroughputMeter;
  request: MeasurementRequest;
  result: Extract<ThroughputMeasurement, { kind: 'measured' | 'failed' }>;
}

/** Measures when `request` is given; `none` otherwise. */
export function useMeasuredThroughput(
  meter: ThroughputMeter | undefined,
  request: MeasurementRequest | null,
): ThroughputMeasurement {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const { params, train, test } = request ?? {};
  useEffect(() => {
    if (!meter || !params || !train || !test) return;
    const measured = { params, train, test };
    const abort = new AbortController();
    const session = meter.createSession();
    const settle = (result: Outcome['result']) => setOutcome({ meter, request: measured, result });
    measureThroughput(session, meter.backendRequest, measurementRun(params, measured), abort.signal)
      .then(
        (throughput) => settle({ kind: 'measured', throughput }),
        (error: unknown) => {
          if (!abort.signal.aborted) settle({ kind: 'failed', message: errorMessage(error) });
        },
      )
      .finally(() => session.dispose());
    return () => abort.abort();
  }, [meter, params, train, test]);
  if (!meter || !params || !train || !test) return { kind: 'none' };
  const isCurrent =
    outcome?.meter === meter &&
    outcome.request.params === params &&
    outcome.request.train === train &&
    outcome.request.test === test;
  return isCurrent
    ? outcome.result
    : { kind: 'measuring', architectureId: costliestArchitecture() };
}
