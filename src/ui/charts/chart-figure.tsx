/**
 * A chart as the page shows it: a named figure around the box vega draws in, a short text
 * alternative under it (what the curve or matrix says, for people who cannot see it, and
 * where its numbers are as a table), and its "Download PNG" and "Download SVG" buttons.
 */
import { useId, useState, type ReactNode } from 'react';
import { errorMessage } from '../../shared/errors';
import { saveFile } from '../save-file';
import { drawChartImage, type ChartImageFormat, type ChartImageSource } from './chart-export';

export interface ChartDownload {
  /** File name without extension: `loss` gives loss.png and loss.svg. */
  fileStem: string;
  /** The chart as an image draws it; null while there is nothing to draw. */
  getSource: () => ChartImageSource | null;
  /** False while the chart has nothing to draw (the buttons are off). */
  isReady?: boolean;
}

/** "Download PNG" and "Download SVG" of one chart; `chartName` tells them apart for screen readers. */
export function ChartDownloads({
  chartName,
  download,
}: {
  chartName: string;
  download: ChartDownload;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<ChartImageFormat | null>(null);
  const save = async (format: ChartImageFormat) => {
    const source = download.getSource();
    if (!source) return;
    setBusy(format);
    setError(null);
    try {
      saveFile(`${download.fileStem}.${format}`, await drawChartImage(source, format));
    } catch (cause) {
      setError(`Could not draw the ${format.toUpperCase()} image: ${errorMessage(cause)}`);
    } finally {
      setBusy(null);
    }
  };
  return (
    <div className="chart-actions">
      {(['png', 'svg'] as const).map((format) => (
        <button
          key={format}
          type="button"
          className="small-button"
          aria-label={`Download ${format.toUpperCase()}: ${chartName}`}
          disabled={busy !== null || download.isReady === false}
          onClick={() => void save(format)}
        >
          Download {format.toUpperCase()}
        </button>
      ))}
      {error && (
        <span role="alert" className="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/**
 * The figure: `label` names it, `summary` describes it (shown under the chart), `children`
 * is the box the chart draws in, `after` what follows the downloads (a table of the numbers).
 */
export function ChartFigure({
  label,
  summary,
  download,
  className,
  children,
  after,
}: {
  label: string;
  summary?: ReactNode;
  download?: ChartDownload;
  className?: string;
  children: ReactNode;
  after?: ReactNode;
}) {
  const summaryId = useId();
  return (
    <figure
      className={className ? `chart ${className}` : 'chart'}
      aria-label={label}
      aria-describedby={summary ? summaryId : undefined}
    >
      {children}
      {summary && (
        <figcaption id={summaryId} className="chart-summary muted small">
          {summary}
        </figcaption>
      )}
      {download && <ChartDownloads chartName={label} download={download} />}
      {after}
    </figure>
  );
}
