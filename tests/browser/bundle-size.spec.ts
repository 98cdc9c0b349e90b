/**
 * What a first visit downloads before the app can be used: the scripts and stylesheet
 * index.html loads and what they import statically (bench/startup-bench.mjs decides which),
 * gzipped, stays within the budget of 110 kB, counted in bytes (110,000). Workers, WASM and
 * lazy chunks load later and are not counted; the service worker precaches them in the
 * background.
 */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { bundleSizes } from '../../bench/startup-bench.mjs';
import { PROJECT_ROOT } from '../support/fixtures';

/** The first screen's budget, bytes gzipped: the 110 kB, kilobytes of 1,000 bytes. */
const FIRST_SCREEN_BUDGET_GZIP_BYTES = 110_000;

const bytes = (count: number) => `${count.toLocaleString('en-US')} bytes`;

test(`the first screen loads at most ${bytes(FIRST_SCREEN_BUDGET_GZIP_BYTES)} gzipped (110 kB)`, () => {
  const sizes = bundleSizes(join(PROJECT_ROOT, 'dist'));
  const firstScreen = sizes.rows.filter((row) => row.loads === 'first screen');
  console.log(
    `[bundle] first screen ${bytes(sizes.firstScreen.gzipBytes)} gzipped ` +
      `(${(sizes.firstScreen.gzipBytes / 1000).toFixed(1)} kB, ${sizes.firstScreen.gzipKb} KiB): ` +
      firstScreen.map((row) => `${row.file} ${bytes(row.gzipBytes)}`).join(', '),
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
  // The total is of exact bytes, not of per-file figures rounded to KiB.
  expect(sizes.firstScreen.gzipBytes).toBe(
    firstScreen.reduce((sum, row) => sum + row.gzipBytes, 0),
  );
  expect(sizes.firstScreen.gzipBytes).toBeLessThanOrEqual(FIRST_SCREEN_BUDGET_GZIP_BYTES);
});
