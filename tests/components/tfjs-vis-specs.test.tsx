/**
 * The charts' vega-lite specs against tfjs-vis 1.5.1's own. The app does not run tfjs-vis (its
 * renderer, vega-embed, compiles expressions with `new Function`, which the page's policy
 * refuses); it builds the specs tfjs-vis builds and draws them with vega and its interpreter.
 * Here tfjs-vis' `render.linechart` and `render.confusionMatrix` run for real on a happy-dom
 * element, with vega-embed replaced by a recorder, and their specs are compared with ours:
 * equal but for the differences the app makes on purpose, listed below.
 */
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { CLASS_NAMES } from '../../src/config/dataset';
import {
  buildConfusionMatrixSpec,
  CONFUSION_HEIGHT_PX,
  CONFUSION_WIDTH_PX,
  toConfusionCells,
} from '../../src/ui/charts/confusion-matrix-spec';
import { buildLineChartSpec, toLineChartRows } from '../../src/ui/charts/line-chart-spec';

const require = createRequire(import.meta.url);

/** What tfjs-vis handed to vega-embed, last call first. */
const embedded: { spec: Record<string, unknown>; options: unknown }[] = [];

/** tfjs-vis' render functions, loaded with a vega-embed that only records its arguments. */
function loadTfjsVisRender() {
  const embedPath = require.resolve('vega-embed');
  const recorder = (_element: unknown, spec: Record<string, unknown>, options: unknown) => {
    embedded.unshift({ spec, options });
    return Promise.resolve({});
  };
  require.cache[embedPath] = { exports: recorder } as unknown as NodeJS.Module;
  const { linechart } = require('@tensorflow/tfjs-vis/dist/render/linechart.js') as {
    linechart: (element: HTMLElement, data: unknown, options: unknown) => Promise<void>;
  };
  const { confusionMatrix } = require('@tensorflow/tfjs-vis/dist/render/confusion_matrix.js') as {
    confusionMatrix: (element: HTMLElement, data: unknown, options: unknown) => Promise<void>;
  };
  return { linechart, confusionMatrix };
}

const tfvis = loadTfjsVisRender();

/**
 * A deep copy without `undefined` members and empty objects: vega-lite reads `scale: {}` (what
 * tfjs-vis writes for series colours nobody chose) as no scale settings at all.
 */
const plain = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value), (_key, member: unknown) =>
    member !== null &&
    typeof member === 'object' &&
    !Array.isArray(member) &&
    Object.keys(member).length === 0
      ? undefined
      : member,
  );

describe("tfjs-vis 1.5.1's specs, as the app builds them", () => {
  test('line chart: the same spec, but for the named data source', async () => {
    const series = ['loss', 'val_loss'];
    const values = [
      [0.9, 0.6, 0.5],
      [1.0, 0.7, 0.65],
    ];
    await tfvis.linechart(
      document.createElement('div'),
      { values: values.map((ys) => ys.map((y, x) => ({ x, y }))), series },
      { width: 400, height: 240, xLabel: 'batch', yLabel: 'loss', zoomToFit: true },
    );
    const theirs = plain(embedded[0].spec) as Record<string, unknown>;
    const ours = plain(
      buildLineChartSpec(
        { series, yLabel: 'loss', widthPx: 400, heightPx: 240, zoomToFit: true },
        'batch',
      ),
    ) as Record<string, unknown>;
    // The app streams points into a named source; tfjs-vis inlines them, in the same rows.
    expect(ours.data).toEqual({ name: 'points' });
    expect(theirs.data).toEqual({ values: toLineChartRows(series, values) });
    expect({ ...ours, data: null }).toEqual({ ...theirs, data: null });
  });

  test('confusion matrix: the same spec, but for the colour legend’s title', async () => {
    // Real-looking counts: most on the diagonal, a few mistakes.
    const confusion = CLASS_NAMES.map((_, i) =>
      CLASS_NAMES.map((__, j) => (i === j ? 90 + i : (i * 7 + j * 3) % 5)),
    );
    await tfvis.confusionMatrix(
      document.createElement('div'),
      { values: confusion, tickLabels: [...CLASS_NAMES] },
      // The app's options: the diagonal left white, so the eye goes to the mistakes.
      { width: CONFUSION_WIDTH_PX, height: CONFUSION_HEIGHT_PX, shadeDiagonal: false },
    );
    const theirs = plain(embedded[0].spec) as { layer: { encoding: { color?: object } }[] };
    const ours = plain(
      buildConfusionMatrixSpec(toConfusionCells(confusion, CLASS_NAMES), CLASS_NAMES),
    ) as typeof theirs;
    // tfjs-vis leaves the legend titled with the field's name, "scaleCount"; the app names it.
    expect(ours.layer[0].encoding.color).toMatchObject({ field: 'scaleCount', title: 'images' });
    expect(theirs.layer[0].encoding.color).not.toHaveProperty('title');
    const withoutLegendTitle = (spec: typeof theirs) => {
      const copy = plain(spec) as typeof theirs;
      delete (copy.layer[0].encoding.color as { title?: string }).title;
      return copy;
    };
    expect(withoutLegendTitle(ours)).toEqual(theirs);
  });
});
