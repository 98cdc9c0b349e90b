/**
 * How the main thread of the built app behaves while it trains: worker path vs main-thread path
 * (`?worker=0`), same WASM backend, same data and seed, alternating, N repeats each.
 *
 * Measured in the page by an init script (so nothing is added to the app):
 * - long tasks: PerformanceObserver 'longtask' (every main-thread task over 50 ms);
 * - frame intervals: requestAnimationFrame timestamps, a frame being what the user sees move.
 *   At 60 Hz a free main thread gives ~16.7 ms; a frame interval is at least as long as any
 *   task that blocks it, so p95/max say how often and how badly the page freezes;
 * - phase marks: form submit (Train), the status line first reading "Evaluating" (all epochs
 *   done), the Evaluation section appearing (results rendered).
 *
 * Two windows are reported: "training" = Train → Evaluating (backend choice, model build, the
 * epochs, validation) and "whole run" = Train → results rendered + a quiet second (adds the
 * test-set evaluation and the first render of the results).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openAppWithSubset, quantile, samplesPerSecShown } from './app-session.mjs';

/** Bounds one run; the main-thread path on WASM takes about as long as the worker path. */
const RUN_TIMEOUT_MS = 20 * 60_000;
/** Tasks of the first results render end shortly after the section appears. */
const QUIET_AFTER_RESULTS_MS = 1000;

/** Runs in the page before the app's scripts (page.addInitScript), in every document. */
function installResponsivenessProbes() {
  const probes = {
    frameTimesMs: [],
    longTasks: [],
    trainSubmittedMs: NaN,
    evaluatingMs: NaN,
    resultsShownMs: NaN,
  };
  window.__responsiveness = probes;
  const onFrame = (timeMs) => {
    probes.frameTimesMs.push(timeMs);
    requestAnimationFrame(onFrame);
  };
  requestAnimationFrame(onFrame);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      probes.longTasks.push({ startMs: e.startTime, durationMs: e.duration });
    }
  }).observe({ type: 'longtask', buffered: true });
  // Capture phase: the mark is taken before the app's own submit handler runs.
  document.addEventListener(
    'submit',
    () => {
      if (Number.isNaN(probes.trainSubmittedMs)) probes.trainSubmittedMs = performance.now();
    },
    true,
  );
  // Two querySelector calls per mutation batch: negligible next to what is measured.
  new MutationObserver(() => {
    if (Number.isNaN(probes.trainSubmittedMs)) return;
    if (Number.isNaN(probes.evaluatingMs)) {
      const status = document.querySelector('.training-progress [role="status"]');
      if (status?.textContent?.startsWith('Evaluating')) probes.evaluatingMs = performance.now();
    }
    if (
      Number.isNaN(probes.resultsShownMs) &&
      document.querySelector('section[aria-label="Evaluation"]')
    ) {
      probes.resultsShownMs = performance.now();
    }
  }).observe(document, { childList: true, subtree: true, characterData: true });
}

/**
 * Frame intervals and long tasks inside [startMs, endMs]. The frames just outside the window
 * are included so a freeze that straddles an edge still counts once.
 */
export function summarizeWindow(probes, startMs, endMs) {
  const frames = probes.frameTimesMs;
  const first = Math.max(0, frames.findIndex((t) => t >= startMs) - 1);
  let last = frames.findIndex((t) => t > endMs);
  if (last < 0) last = frames.length - 1;
  const intervalsMs = [];
  for (let i = first + 1; i <= last; i++) intervalsMs.push(frames[i] - frames[i - 1]);
  const tasks = probes.longTasks.filter(
    (t) => t.startMs + t.durationMs >= startMs && t.startMs <= endMs,
  );
  const round1 = (x) => Math.round(x * 10) / 10;
  return {
    windowMs: Math.round(endMs - startMs),
    frames: intervalsMs.length,
    longestTaskMs: Math.round(Math.max(0, ...tasks.map((t) => t.durationMs))),
    tasksOver50ms: tasks.length,
    longTaskTotalMs: Math.round(tasks.reduce((sum, t) => sum + t.durationMs, 0)),
    p50FrameMs: round1(quantile(intervalsMs, 0.5)),
    p95FrameMs: round1(quantile(intervalsMs, 0.95)),
    maxFrameMs: round1(Math.max(0, ...intervalsMs)),
  };
}

async function runOnce(browser, appUrl, files, path, epochs) {
  const query = `?backend=wasm${path === 'main-thread' ? '&worker=0' : ''}`;
  const page = await openAppWithSubset(browser, appUrl, query, files, {
    epochs,
    seed: 1,
    initScript: installResponsivenessProbes,
  });
  try {
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page.getByText(/^Test accuracy: /).waitFor({ timeout: RUN_TIMEOUT_MS });
    await page
      .getByRole('figure', { name: /Confusion matrix/ })
      .locator('canvas, svg')
      .first()
      .waitFor({ timeout: 60_000 });
    await page.waitForTimeout(QUIET_AFTER_RESULTS_MS);
    const backend = await page.getByTestId('backend-info').innerText();
    const samplesPerSec = await samplesPerSecShown(page);
    const probes = await page.evaluate(() => window.__responsiveness);
    const endOfTraining = Number.isNaN(probes.evaluatingMs)
      ? probes.resultsShownMs
      : probes.evaluatingMs;
    const training = summarizeWindow(probes, probes.trainSubmittedMs, endOfTraining);
    const whole = summarizeWindow(
      probes,
      probes.trainSubmittedMs,
      probes.resultsShownMs + QUIET_AFTER_RESULTS_MS,
    );
    // Where the time goes, relative to Train, for reading the JSON.
    const since = (ms) => Math.round(ms - probes.trainSubmittedMs);
    const marks = {
      evaluatingMs: since(probes.evaluatingMs),
      resultsMs: since(probes.resultsShownMs),
    };
    const longTasks = probes.longTasks
      .filter((t) => t.startMs + t.durationMs >= probes.trainSubmittedMs)
      .map((t) => ({ atMs: since(t.startMs), durationMs: Math.round(t.durationMs) }));
    return { path, backend, samplesPerSec, training, whole, marks, longTasks };
  } finally {
    await page.close();
  }
}

/**
 * Alternates worker / main-thread `repeats` times (order flips each repeat). `files` are the
 * two 2,000-row CSVs. Prints the table and writes `outDir`/responsiveness.json.
 */
export async function benchResponsiveness(browser, { appUrl, files, outDir, repeats, epochs = 1 }) {
  const runs = [];
  for (let i = 0; i < repeats; i++) {
    for (const path of i % 2 === 0 ? ['worker', 'main-thread'] : ['main-thread', 'worker']) {
      const run = await runOnce(browser, appUrl, files, path, epochs);
      if (
        !run.backend.startsWith(
          `Backend: WASM ${path === 'worker' ? 'in a Web Worker' : 'on the main thread'}`,
        )
      )
        throw new Error(`asked for the ${path} path, the app shows: ${run.backend}`);
      runs.push(run);
    }
  }
  const rows = runs.map((r) => ({
    path: r.path,
    'samples/s': r.samplesPerSec,
    'training s': Math.round(r.training.windowMs / 100) / 10,
    'longest task ms': r.training.longestTaskMs,
    'tasks >50 ms': r.training.tasksOver50ms,
    'in long tasks %': Math.round((100 * r.training.longTaskTotalMs) / r.training.windowMs),
    'frame p50 ms': r.training.p50FrameMs,
    'frame p95 ms': r.training.p95FrameMs,
    'frame max ms': r.training.maxFrameMs,
    frames: r.training.frames,
    'whole run: longest task ms': r.whole.longestTaskMs,
    'whole run: tasks >50 ms': r.whole.tasksOver50ms,
    'whole run: frame max ms': r.whole.maxFrameMs,
  }));
  console.log(
    `\nResponsiveness while training: built app, WASM, seed CNN, ${epochs} epoch(s) of 1,600 ` +
      'images (batch 64), live charts on; "training" = Train → all epochs done:',
  );
  console.table(rows);
  const result = { date: new Date().toISOString(), epochs, repeats, rows, runs };
  writeFileSync(join(outDir, 'responsiveness.json'), JSON.stringify(result, null, 2));
  return result;
}
