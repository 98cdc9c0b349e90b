/**
 * A chart drawn once per spec (the confusion matrix, per-class accuracy), after training: React
 * owns the figure, a staged vega view draws inside it. Building a view costs tens of ms, paid
 * once, in tasks of their own after the panel's commit.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import type { View } from 'vega';
import { ChartFigure, type ChartDownload } from './chart-figure';
import { createStagedView, nextTask } from './staged-view';

export function StaticChart({
  spec,
  label,
  summary,
  image,
  className,
  children,
}: {
  /** The vega-lite spec; a new object redraws the chart (memoize it). */
  spec: object;
  /** Accessible name of the figure. */
  label: string;
  /** Text alternative, shown under the chart. */
  summary: ReactNode;
  /** The downloads' title and file name. */
  image: { title: string; fileStem: string };
  /** Sizes the figure (styles.css). */
  className: string;
  /** More of the text alternative (a table of the numbers), after the downloads. */
  children?: ReactNode;
}) {
  const boxRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const box = boxRef.current;
    if (!box) return;
    let isCancelled = false;
    let view: View | null = null;
    const draw = async () => {
      // Leave the first task to the React commit that mounted the panel.
      await nextTask();
      if (isCancelled) return;
      view = await createStagedView(box, spec, { isCancelled: () => isCancelled });
      if (!view) return;
      await view.runAsync();
      if (isCancelled) view.finalize();
    };
    draw().catch((error: unknown) => console.warn(`Chart "${label}" failed to draw`, error));
    return () => {
      isCancelled = true;
      // Releases the view's event listeners and timers; the next view clears the box.
      view?.finalize();
    };
  }, [spec, label]);

  const download: ChartDownload = {
    fileStem: image.fileStem,
    getSource: () => ({ spec, title: image.title }),
  };
  return (
    <ChartFigure
      label={label}
      summary={summary}
      download={download}
      className={`chart--static ${className}`}
      after={children}
    >
      {/* vega owns this box's children; React owns the figure around it. */}
      <div ref={boxRef} />
    </ChartFigure>
  );
}
