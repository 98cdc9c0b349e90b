/**
 * The one door to tfjs-vis. React owns each chart's box; tfjs-vis' render.* functions draw
 * inside it. Redraws are coalesced: while vega is still drawing, newer data waits and only
 * the latest is drawn next, so slow redraws never pile up.
 */
import * as tfvis from '@tensorflow/tfjs-vis';
import { useEffect, useRef } from 'react';
import { createCoalescedRunner, type CoalescedRunner } from './coalesced-runner';

export type ChartSpec =
  | { kind: 'line'; data: tfvis.XYPlotData; options: tfvis.XYPlotOptions }
  | {
      kind: 'confusion';
      data: tfvis.ConfusionMatrixData;
      options: tfvis.ConfusionMatrixOptions;
    };

function draw(element: HTMLElement, spec: ChartSpec): Promise<void> {
  return spec.kind === 'line'
    ? tfvis.render.linechart(element, spec.data, spec.options)
    : tfvis.render.confusionMatrix(element, spec.data, spec.options);
}

/** A box that shows `spec`, redrawn whenever `version` changes. */
export function VisChart({
  spec,
  version,
  label,
}: {
  spec: () => ChartSpec | null;
  version: unknown;
  /** Accessible name of the chart region. */
  label: string;
}) {
  const boxRef = useRef<HTMLDivElement>(null);
  const specRef = useRef(spec);
  const runnerRef = useRef<CoalescedRunner | null>(null);

  useEffect(() => {
    specRef.current = spec;
  }, [spec]);
  useEffect(() => {
    // vega compiles and parses a chart synchronously for tens of milliseconds: each chart
    // draws in a task of its own, one drawing at a time, always the latest data.
    const runner = createCoalescedRunner(async () => {
      const current = specRef.current();
      if (!current || !boxRef.current) return;
      try {
        await draw(boxRef.current, current);
      } catch (error) {
        console.warn(`Chart "${label}" failed to draw`, error);
      }
    });
    runnerRef.current = runner;
    return () => {
      runner.dispose();
      runnerRef.current = null;
    };
  }, [label]);
  useEffect(() => {
    runnerRef.current?.request();
  }, [version, label]);

  // vega-embed owns the inner box's attributes and children; React owns the figure around it.
  return (
    <div className="chart" role="figure" aria-label={label}>
      <div ref={boxRef} />
    </div>
  );
}
