/** A line chart as an image (PNG or SVG download, the command line's loss.png): its spec and rows. */
import type { ChartImageSource } from './chart-export';
import { buildLineChartSpec, LINE_CHART_DATA_NAME } from './line-chart-spec';
import { frameRows, type LineChartFrame } from './live-line-chart';

/** Size of a line chart's image, CSS pixels (a PNG has PNG_SCALE times as many). */
export const LINE_CHART_IMAGE_WIDTH_PX = 640;
export const LINE_CHART_IMAGE_HEIGHT_PX = 360;

/** `frame` as an image titled `title`, with the page chart's axes, series and legend. */
export function lineChartImageSource(
  frame: LineChartFrame,
  yLabel: string,
  title: string,
): ChartImageSource {
  const layout = {
    series: frame.series,
    yLabel,
    widthPx: LINE_CHART_IMAGE_WIDTH_PX,
    heightPx: LINE_CHART_IMAGE_HEIGHT_PX,
    zoomToFit: true,
    isCounted: frame.isCounted,
  };
  return {
    spec: buildLineChartSpec(layout, frame.xLabel),
    title,
    data: { name: LINE_CHART_DATA_NAME, rows: frameRows(frame) },
  };
}
