/**
 * What a first visit downloads before the app can be used: the scripts and stylesheet
 * index.html loads and what they import statically (bench/startup-bench.mjs decides which),
 * gzipped, stays within the budget. Workers, WASM and lazy chunks load later and are not
 * counted; the service worker precaches them in the background.
 */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { bundleSizes } from '../../bench/startup-bench.mjs';
import { PROJECT_ROOT } from '../support/fixtures';

/** The first screen's budget: JavaScript and CSS, KiB gzipped. */
const FIRST_SCREEN_BUDGET_GZIP_KB = 110;

test(`the first screen loads at most ${FIRST_SCREEN_BUDGET_GZIP_KB} KiB gzipped`, () => {
  const sizes = bundleSizes(join(PROJECT_ROOT, 'dist'));
  const firstScreen = sizes.rows.filter((row) => row.loads === 'first screen');
  console.log(
    `[bundle] first screen ${sizes.firstScreen.gzipKb} KiB gzipped: ` +
      firstScreen.map((row) => `${row.file} ${row.gzipKb}`).join(', '),
  );
  // The entry script is among them, so the count is of the real first screen.
  expect(firstScreen.some((row) => /^main-.*\.js$/.test(row.file))).toBe(true);
  // Nothing heavy slipped in statically: the ML and chart code stays lazy.
  for (const lazy of ['training-chart-frames', 'engine', 'serialized-model', 'training.worker']) {
    expect(
      firstScreen.map((row) => row.file).some((file) => file.startsWith(lazy)),
      lazy,
    ).toBe(false);
  }
  expect(sizes.firstScreen.gzipKb).toBeLessThanOrEqual(FIRST_SCREEN_BUDGET_GZIP_KB);
});
