/**
 * React owns the chart's figure; a live vega view (built once) draws inside it and gets new
 * points streamed. Refreshes are coalesced: while one runs, only the latest request waits;
 * while the page is hidden they wait for it to be shown. Under the chart: a one-line summary
 * of the curves (its text alternative) and its downloads.
 */
import { useEffect, useRef, type RefObject } from 'react';
import { ChartFigure } from './chart-figure';
import { createCoalescedRunner } from './coalesced-runner';
import { lineChartImageSource } from './line-chart-image';
import { createLiveLineChart, type LineChartFrame } from './live-line-chart';
import { summarizeFrame } from './training-chart-frames';
import { createVisibilityGate, type VisibilityGate } from './visibility-gate';

export interface LineChartProps {
  frame: () => LineChartFrame | null;
  version: unknown;
  /** Accessible name of the chart's figure. */
  label: string;
  yLabel: string;
  heightPx: number;
  /** The downloads' title and file name (`loss` → loss.png, loss.svg). */
  image: { title: string; fileStem: string };
}

/** A box that shows `frame()`, refreshed whenever `version` changes; nothing while null. */
export function LineChart({ frame, version, label, yLabel, heightPx, image }: LineChartProps) {
  const boxRef = useRef<HTMLDivElement>(null);
  const frameRef = useRef(frame);
  const redrawRef = useRef<VisibilityGate | null>(null);

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
    const gate = createVisibilityGate(() => runner.request());
    redrawRef.current = gate;
    gate.request();
    return () => {
      gate.dispose();
      runner.dispose();
      chart.dispose();
      redrawRef.current = null;
    };
  }, [label, yLabel, heightPx]);
  useEffect(() => {
    redrawRef.current?.request();
  }, [version]);
  useRedrawOnResize(boxRef, redrawRef);

  const shown = frame();
  return (
    <ChartFigure
      label={label}
      summary={shown ? summarizeFrame(shown, yLabel) : 'No points yet.'}
      download={{
        fileStem: image.fileStem,
        isReady: shown !== null,
        getSource: () => {
          const current = frameRef.current();
          return current && lineChartImageSource(current, yLabel, image.title);
        },
      }}
    >
      {/* vega owns this box's children; React owns the figure around it. */}
      <div ref={boxRef} />
    </ChartFigure>
  );
}

/** A new width (a phone turned, a window resized) needs a view of that width. */
function useRedrawOnResize(
  boxRef: RefObject<HTMLDivElement | null>,
  redrawRef: RefObject<VisibilityGate | null>,
): void {
  useEffect(() => {
    const box = boxRef.current;
    if (!box || typeof ResizeObserver === 'undefined') return;
    let widthPx = box.clientWidth;
    const observer = new ResizeObserver(() => {
      if (box.clientWidth === widthPx) return;
      widthPx = box.clientWidth;
      redrawRef.current?.request();
    });
    observer.observe(box);
    return () => observer.disconnect();
  }, [boxRef, redrawRef]);
}
