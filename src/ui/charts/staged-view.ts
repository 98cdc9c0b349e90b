/**
 * Builds a vega view from a vega-lite spec in separate tasks. vega-embed (and so tfjs-vis)
 * compiles, parses and renders in one go: 50–150 ms of main thread in one task. Each step
 * here is a task of its own, so the page keeps answering between them.
 *
 * Every view runs under the page's Content-Security-Policy (no 'unsafe-eval', no inline
 * styles): vega parses expressions to syntax trees that vega-interpreter evaluates, instead of
 * compiling them with `new Function`, and the tooltip's stylesheet is in styles.css instead of
 * the <style> element vega-tooltip would add.
 */
import { parse, View, Warn, type Runtime, type Spec } from 'vega';
import { expressionInterpreter } from 'vega-interpreter';
import { compile, type TopLevelSpec } from 'vega-lite';
import { Handler } from 'vega-tooltip';

/** Waits for a new task (a 0 ms timer); injectable so tests need not wait. */
export type YieldToEventLoop = () => Promise<void>;

export const nextTask: YieldToEventLoop = () =>
  new Promise<void>((resolve) => setTimeout(resolve, 0));

/** vega's runtime for `vegaSpec`, with expressions kept as syntax trees for the interpreter. */
function parseForInterpreter(vegaSpec: Spec): Runtime {
  return parse(vegaSpec, undefined, { ast: true });
}

/** A view of `runtime` whose expressions the interpreter evaluates (never `new Function`). */
function createView(runtime: Runtime, renderer: 'canvas' | 'none'): View {
  return new View(runtime, { renderer, logLevel: Warn, expr: expressionInterpreter });
}

export interface StagedViewOptions {
  /** Edits the compiled vega spec before it is parsed (e.g. binds a title to a signal). */
  patch?: (vegaSpec: Spec) => void;
  /** Stops between steps when it returns true (the chart was removed meanwhile). */
  isCancelled?: () => boolean;
  yieldToEventLoop?: YieldToEventLoop;
}

/**
 * Compile | parse | create the view in `element`, each in its own task; the caller's first
 * `runAsync` then draws it in a fourth. Resolves to null when cancelled. `beforeAttach` runs just before the view takes over
 * `element`, so a view being replaced stays visible until then.
 */
export async function createStagedView(
  element: HTMLElement,
  vegaLiteSpec: object,
  options: StagedViewOptions & { beforeAttach?: () => void } = {},
): Promise<View | null> {
  const yieldToEventLoop = options.yieldToEventLoop ?? nextTask;
  const isCancelled = options.isCancelled ?? (() => false);
  const vegaSpec = compile(vegaLiteSpec as TopLevelSpec).spec;
  options.patch?.(vegaSpec);
  await yieldToEventLoop();
  if (isCancelled()) return null;
  const runtime = parseForInterpreter(vegaSpec);
  await yieldToEventLoop();
  if (isCancelled()) return null;
  options.beforeAttach?.();
  const view = createView(runtime, 'canvas');
  // The tooltips tfjs-vis shows: it draws through vega-embed, which installs this handler.
  view.tooltip(new Handler({ disableDefaultStyle: true }).call);
  view.initialize(element);
  // The first run builds the whole scene: a task of its own too.
  await yieldToEventLoop();
  if (isCancelled()) {
    view.finalize();
    return null;
  }
  return view;
}

/**
 * A view of `vegaLiteSpec` with no element (renderer 'none'), for drawing images of a chart
 * (`toCanvas`, `toSVG`), with the same interpreter as the page's views. Finalize it after use.
 */
export function createHeadlessView(vegaLiteSpec: object): View {
  const vegaSpec = compile(vegaLiteSpec as TopLevelSpec).spec;
  return createView(parseForInterpreter(vegaSpec), 'none');
}

/**
 * Compiles, parses and runs `vegaLiteSpec` headless on a few `data` rows, each step in its own
 * task, and throws the view away. The first compile and parse in a page cost two to three times the later ones
 * (V8 compiles vega-lite's and vega's code on first use), so doing this once while the page
 * is idle keeps the first chart of a run from being a long task.
 */
export async function warmUpVega(
  vegaLiteSpec: object,
  data: { name: string; rows: object[] },
  yieldToEventLoop: YieldToEventLoop = nextTask,
): Promise<void> {
  const vegaSpec = compile(vegaLiteSpec as TopLevelSpec).spec;
  await yieldToEventLoop();
  const runtime = parseForInterpreter(vegaSpec);
  await yieldToEventLoop();
  const view = createView(runtime, 'none');
  // With no rows the scales get an infinite extent, which vega logs as a warning.
  view.insert(data.name, data.rows);
  await view.runAsync();
  view.finalize();
}
