/**
 * Steps the app benchmarks share: open the production build in a fresh context, load the
 * 2,000-row subsets, set the training form. The app is driven as a person would, by labels and
 * visible text (as tests/browser/app-driver.ts does).
 */

/** The ingest of two 2,000-row CSVs takes well under a second; this only bounds a hang. */
const SUBSET_LOAD_TIMEOUT_MS = 60_000;

/**
 * Opens `appUrl` with `query` (e.g. `?backend=wasm&worker=0`) in a new context, after
 * `initScript` (if any) is installed, chooses `files` and sets epochs and seed (and the batch
 * size when given). `testImages` is the test split's size the files give (default the
 * subset's 2,000); `loadTimeoutMs` bounds their loading (the full dataset takes longer).
 */
export async function openAppWithSubset(browser, appUrl, query, files, options) {
  const page = await browser.newPage();
  if (options.initScript) await page.addInitScript(options.initScript);
  if (options.beforeGoto) await options.beforeGoto(page);
  await page.goto(`${appUrl}${query}`);
  await page.getByLabel('Dataset files').setInputFiles(files);
  const testImages = (options.testImages ?? 2000).toLocaleString('en-US');
  await page
    .getByText(`Test set: ${testImages} images`)
    .waitFor({ timeout: options.loadTimeoutMs ?? SUBSET_LOAD_TIMEOUT_MS });
  await page.getByLabel('Epochs', { exact: true }).fill(String(options.epochs));
  await page.getByLabel('Seed', { exact: true }).fill(String(options.seed));
  if (options.batchSize !== undefined) {
    await page.getByLabel('Batch size', { exact: true }).fill(String(options.batchSize));
  }
  return page;
}

/** The app's own throughput figure from the status line ("… · 48.2 samples/s · …"). */
export async function samplesPerSecShown(page) {
  const status = await page.locator('.training-progress [role="status"]').innerText();
  const match = /([\d.]+) samples\/s/.exec(status);
  return match ? Number(match[1]) : NaN;
}

/** Value at fraction `q` of sorted `xs` (nearest rank), NaN when empty. */
export function quantile(xs, q) {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
