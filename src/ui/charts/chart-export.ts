/**
 * Images of a chart to take away, PNG and SVG: a fresh headless view of the chart's own spec,
 * with a title and a white background added (the page's charts are untitled, on the panel's
 * white), so the file reads on its own wherever it is pasted. The view runs with the same
 * expression interpreter as the page's, so this works under the Content-Security-Policy.
 */
import { createHeadlessView } from './staged-view';

export type ChartImageFormat = 'png' | 'svg';

/** PNG pixels per CSS pixel: sharp in slides and print; the SVG scales by itself. */
export const PNG_SCALE = 2;
/** Room around an image's title, axes and legend, px. */
const IMAGE_PADDING_PX = 12;

/** What an image of a chart is drawn from. */
export interface ChartImageSource {
  /** The chart's vega-lite spec. */
  spec: object;
  /** The image's title (the page shows the chart's name beside it instead). */
  title: string;
  /** Rows for a named data source of the spec (the live charts stream theirs). */
  data?: { name: string; rows: object[] };
}

/** `spec` as an image draws it: titled, opaque white, a little padding. */
export function withImageStyle(spec: object, title: string): object {
  return { ...spec, title, background: 'white', padding: IMAGE_PADDING_PX };
}

const MIME_TYPES: Record<ChartImageFormat, string> = {
  png: 'image/png',
  svg: 'image/svg+xml',
};

function canvasToBlob(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('The browser made no PNG'))),
      MIME_TYPES.png,
    ),
  );
}

/** The SVG markup of `source`'s image (also what the SVG download holds). */
export async function drawChartSvg(source: ChartImageSource): Promise<string> {
  const view = createHeadlessView(withImageStyle(source.spec, source.title));
  try {
    if (source.data) view.insert(source.data.name, source.data.rows);
    await view.runAsync();
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** `source` drawn as a PNG or SVG file. */
export async function drawChartImage(
  source: ChartImageSource,
  format: ChartImageFormat,
): Promise<Blob> {
  if (format === 'svg') return new Blob([await drawChartSvg(source)], { type: MIME_TYPES.svg });
  const view = createHeadlessView(withImageStyle(source.spec, source.title));
  try {
    if (source.data) view.insert(source.data.name, source.data.rows);
    await view.runAsync();
    return await canvasToBlob(await view.toCanvas(PNG_SCALE));
  } finally {
    view.finalize();
  }
}
