/**
 * The one door to tfjs-vis. React owns each chart's box; tfjs-vis' render.* functions draw
 * inside it. Redraws are coalesced: while vega is still drawing, newer data waits and only
 * the latest is drawn next, so slow redraws never pile up.
 */
import * as tfvis from '@tensorflow/tfjs-vis';
import { useEffect, useRef } from 'react';

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
  const drawingRef = useRef(false);
  const pendingRef = useRef(false);
  const specRef = useRef(spec);
  useEffect(() => {
    specRef.current = spec;
  }, [spec]);

  useEffect(() => {
    const box = boxRef.current;
    if (!box) return;
    let isCancelled = false;
    const redraw = () => {
      const current = specRef.current();
      if (!current || isCancelled) return;
      if (drawingRef.current) {
        pendingRef.current = true;
        return;
      }
      drawingRef.current = true;
      draw(box, current)
        .catch((error: unknown) => console.warn(`Chart "${label}" failed to draw`, error))
        .finally(() => {
          drawingRef.current = false;
          if (pendingRef.current && !isCancelled) {
            pendingRef.current = false;
            redraw();
          }
        });
    };
    redraw();
    return () => {
      isCancelled = true;
    };
  }, [version, label]);

  return <div ref={boxRef} className="chart" role="figure" aria-label={label} />;
}
