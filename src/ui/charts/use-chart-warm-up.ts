/**
 * Loads the charts chunk (tfjs-vis and vega, most of the bundle) while the person is still
 * choosing files, so its long evaluation task does not land in the middle of training. The
 * warm-up also runs vega's compile and parse code once on a throwaway chart, so the first live
 * chart of a run does not pay for cold code (BENCHMARKS.md).
 */
import { useEffect } from 'react';

/** Without requestIdleCallback, how long after mount the charts chunk is loaded anyway. */
const WARM_UP_FALLBACK_DELAY_MS = 2000;
/** requestIdleCallback's deadline: load the chunk by then even if the page never idles. */
const WARM_UP_IDLE_TIMEOUT_MS = 5000;

export function useChartWarmUp(): void {
  useEffect(() => {
    const warmUp = () => void import('./training-charts').then((m) => m.warmUpLineCharts());
    if ('requestIdleCallback' in window) {
      const handle = window.requestIdleCallback(warmUp, { timeout: WARM_UP_IDLE_TIMEOUT_MS });
      return () => window.cancelIdleCallback(handle);
    }
    const timer = setTimeout(warmUp, WARM_UP_FALLBACK_DELAY_MS);
    return () => clearTimeout(timer);
  }, []);
}
