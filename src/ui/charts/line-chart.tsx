/**
 * React owns the chart's box; a live vega view (built once) draws inside it and gets new
 * points streamed. Refreshes are coalesced like VisChart's: while one runs, only the latest
 * request waits.
 */
import { useEffect, useRef } from 'react';
import { createCoalescedRunner, type CoalescedRunner } from './coalesced-runner';
import { createLiveLineChart, type LineChartFrame } from './live-line-chart';

/** A box that shows `frame()`, refreshed whenever `version` changes; nothing while null. */
export function LineChart({
  frame,
  version,
  label,
  yLabel,
  heightPx,
}: {
  frame: () => LineChartFrame | null;
  version: unknown;
  /** Accessible name of the chart region. */
  label: string;
  yLabel: string;
  heightPx: number;
}) {
  const boxRef = useRef<HTMLDivElement>(null);
  const frameRef = useRef(frame);
  const runnerRef = useRef<CoalescedRunner | null>(null);

  useEffect(() => {
    frameRef.current = frame;
  }, [frame]);
  useEffect(() => {
    const box = boxRef.current;
    if (!box) return;
    const chart = createLiveLineChart(box, { yLabel, heightPx, zoomToFit: true });
    const runner = createCoalescedRunner(async () => {
      const current = frameRef.current();
      if (!current) return;
      try {
        await chart.update(current);
      } catch (error) {
        console.warn(`Chart "${label}" failed to draw`, error);
      }
    });
    runnerRef.current = runner;
    runner.request();
    return () => {
      runner.dispose();
      chart.dispose();
      runnerRef.current = null;
    };
  }, [label, yLabel, heightPx]);
  useEffect(() => {
    runnerRef.current?.request();
  }, [version]);

  // vega owns the inner box's children; React owns the figure around it.
  return (
    <div className="chart" role="figure" aria-label={label}>
      <div ref={boxRef} />
    </div>
  );
}
