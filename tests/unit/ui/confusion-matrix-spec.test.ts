/**
 * The confusion matrix's spec (tfjs-vis' own, built here so it draws under the page's
 * Content-Security-Policy): its cells, and the spec run headless by vega with the expression
 * interpreter, the way the page runs it, on a real-sized 10 × 10 matrix.
 */
import { parse, View } from 'vega';
import { expressionInterpreter } from 'vega-interpreter';
import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { CLASS_NAMES } from '../../../src/config/dataset';
import {
  buildConfusionMatrixSpec,
  toConfusionCells,
} from '../../../src/ui/charts/confusion-matrix-spec';

/** A 10-class confusion matrix of 1,000 test images: mostly right, some mistakes. */
const CONFUSION = CLASS_NAMES.map((_, i) =>
  CLASS_NAMES.map((__, j) => (i === j ? 90 : j === (i + 1) % 10 ? 10 : 0)),
);

describe('confusion matrix cells', () => {
  it('leave the diagonal unshaded and shade every other cell by its count', () => {
    const cells = toConfusionCells(CONFUSION, CLASS_NAMES);
    expect(cells).toHaveLength(100);
    expect(cells[0]).toEqual({
      label: 'T-shirt/top',
      prediction: 'T-shirt/top',
      count: 90,
      noFill: true,
    });
    expect(cells[1]).toEqual({
      label: 'T-shirt/top',
      prediction: 'Trouser',
      count: 10,
      scaleCount: 10,
    });
    expect(cells.filter((cell) => cell.noFill)).toHaveLength(10);
  });

  it('shade the diagonal after all when nothing else was counted (a perfect model)', () => {
    const perfect = [
      [3, 0],
      [0, 4],
    ];
    expect(toConfusionCells(perfect, ['a', 'b'])).toEqual([
      { label: 'a', prediction: 'a', count: 3, scaleCount: 3 },
      { label: 'a', prediction: 'b', count: 0, scaleCount: 0 },
      { label: 'b', prediction: 'a', count: 0, scaleCount: 0 },
      { label: 'b', prediction: 'b', count: 4, scaleCount: 4 },
    ]);
  });
});

describe('the confusion matrix spec in vega with the interpreter', () => {
  it('draws every cell: 90 shaded, 10 white diagonal cells, 100 counts written', async () => {
    const spec = buildConfusionMatrixSpec(toConfusionCells(CONFUSION, CLASS_NAMES), CLASS_NAMES);
    const runtime = parse(compile(spec as TopLevelSpec).spec, undefined, { ast: true });
    const view = new View(runtime, { renderer: 'none', expr: expressionInterpreter });
    await view.runAsync();
    const marks = (view.scenegraph() as unknown as { root: SceneGroup }).root.items[0].items;
    const itemsOf = (role: string) =>
      marks.filter((mark) => mark.marktype === role).flatMap((mark) => mark.items);
    const rects = itemsOf('rect');
    expect(rects).toHaveLength(100);
    expect(rects.filter((rect) => rect.fill === 'white')).toHaveLength(10);
    const texts = itemsOf('text');
    expect(texts).toHaveLength(100);
    expect(texts.map((t) => String(t.text)).sort()).toEqual(
      [...Array(10).fill('90'), ...Array(10).fill('10'), ...Array(80).fill('0')].sort(),
    );
    view.finalize();
  });
});

/** The part of vega's scene graph the test reads. */
interface SceneGroup {
  items: { items: { marktype: string; items: { fill?: string; text?: string | number }[] }[] }[];
}
