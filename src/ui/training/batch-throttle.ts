import type { Dispatch } from 'react';
import type { BatchMetrics } from '../../training/run-types';
import { createThrottle } from '../hooks/throttle';
import type { TrainingAction } from './training-state';

/** Charts and the progress bar refresh at most this often while training. */
export const CHART_REDRAW_INTERVAL_MS = 250;

/** The latest batch on its way to state, at most once per CHART_REDRAW_INTERVAL_MS. */
export interface BatchThrottle {
  /** Holds `batch` as the latest; it reaches state now or at the end of the interval. */
  push: (batch: BatchMetrics) => void;
  /** Forgets the held batch and any pending dispatch (a new run starts). */
  reset: () => void;
  /** Dispatches the held batch now, if one is pending. */
  flush: () => void;
  cancel: () => void;
}

/**
 * A throttle that holds the latest batch and dispatches it at most every interval. It holds
 * the batch itself, so nothing reads a ref during render.
 */
export function createBatchThrottle(dispatch: Dispatch<TrainingAction>): BatchThrottle {
  let latest: BatchMetrics | null = null;
  const throttle = createThrottle(() => {
    if (latest) dispatch({ type: 'batch', batch: latest });
  }, CHART_REDRAW_INTERVAL_MS);
  return {
    push(batch) {
      latest = batch;
      throttle.request();
    },
    reset() {
      throttle.cancel();
      latest = null;
    },
    flush: () => throttle.flush(),
    cancel: () => throttle.cancel(),
  };
}
