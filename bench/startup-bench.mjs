/**
 * Start-up cost of the production build (dist/ from `vite build`): what a first visit downloads
 * before the app can be used, and how long until it can be.
 *
 * - Bundle sizes per file, raw and gzip (zlib, level 6 like typical servers). "first screen" is
 *   what index.html loads (entry script, modulepreloads, stylesheets) plus what those import
 *   statically; everything else under assets/ (lazy chunks, workers, WASM) loads later or never.
 * - Time to interactive: a fresh browser context per load (empty cache), navigation to the
 *   moment the "Dataset files" input exists and is enabled and the h1 is visible, from an init
 *   script's MutationObserver (performance.now(), ms since navigation start). Median of N.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Files index.html references, and what they import statically, transitively. */
function firstScreenFiles(distDir) {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+)"/g)].map((m) => m[1]);
  const seen = new Set();
  const visit = (rel) => {
    if (seen.has(rel)) return;
    seen.add(rel);
    if (!rel.endsWith('.js')) return;
    const code = readFileSync(join(distDir, rel), 'utf8');
    // Static imports only: `import … from "./x.js"` and bare `import "./x.js"` (not import()).
    for (const m of code.matchAll(
      /(?:^|[;}\s])import\s*(?:[\w*{}\s,$]+from\s*)?["']\.\/([^"']+)["']/g,
    )) {
      visit(`assets/${m[1]}`);
    }
  };
  for (const rel of refs) visit(rel);
  return seen;
}

/** Bytes in KiB (1,024 bytes), rounded: the unit of the tables. */
const toKib = (bytes) => Math.round(bytes / 1024);

/**
 * Sizes of the build's assets: exact bytes (what a budget is checked against) and rounded KiB
 * (what the tables show), raw and gzipped, per file and for each way of loading.
 */
export function bundleSizes(distDir) {
  const firstScreen = firstScreenFiles(distDir);
  const rows = readdirSync(join(distDir, 'assets')).map((name) => {
    const rel = `assets/${name}`;
    const bytes = readFileSync(join(distDir, rel));
    return {
      file: name,
      loads: firstScreen.has(rel)
        ? 'first screen'
        : name.endsWith('.wasm')
          ? 'wasm (lazy)'
          : 'lazy',
      rawBytes: statSync(join(distDir, rel)).size,
      gzipBytes: gzipSync(bytes, { level: 6 }).length,
    };
  });
  const order = { 'first screen': 0, lazy: 1, 'wasm (lazy)': 2 };
  rows.sort((a, b) => order[a.loads] - order[b.loads] || b.rawBytes - a.rawBytes);
  // Totals add exact bytes, then round: adding rounded KiB would drift by up to 0.5 KiB a file.
  const total = (loads) => {
    const of = rows.filter((r) => r.loads === loads);
    const rawBytes = of.reduce((s, r) => s + r.rawBytes, 0);
    const gzipBytes = of.reduce((s, r) => s + r.gzipBytes, 0);
    return { rawBytes, gzipBytes, rawKb: toKib(rawBytes), gzipKb: toKib(gzipBytes) };
  };
  return {
    rows: rows.map((r) => ({ ...r, rawKb: toKib(r.rawBytes), gzipKb: toKib(r.gzipBytes) })),
    firstScreen: total('first screen'),
    lazy: total('lazy'),
    wasm: total('wasm (lazy)'),
  };
}

/** Records when the app first becomes usable; runs before any page script. */
function markInteractive() {
  const isReady = () => {
    const input = [...document.querySelectorAll('input[type="file"]')].find(
      (el) => el.labels && [...el.labels].some((l) => l.textContent.trim() === 'Dataset files'),
    );
    const heading = document.querySelector('h1');
    return Boolean(input && !input.disabled && heading && heading.getClientRects().length > 0);
  };
  const observer = new MutationObserver(() => {
    if (window.__interactiveMs === undefined && isReady()) {
      window.__interactiveMs = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true });
}

export async function timeToInteractive(browser, url, repeats) {
  const loads = [];
  for (let i = 0; i < repeats; i++) {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.addInitScript(markInteractive);
      await page.goto(url);
      await page.waitForFunction(() => window.__interactiveMs !== undefined, null, {
        timeout: 60_000,
      });
      loads.push(
        await page.evaluate(() => {
          const nav = performance.getEntriesByType('navigation')[0];
          const fcp = performance.getEntriesByName('first-contentful-paint')[0];
          return {
            interactiveMs: Math.round(window.__interactiveMs),
            domContentLoadedMs: Math.round(nav.domContentLoadedEventEnd),
            loadEventMs: Math.round(nav.loadEventEnd),
            firstContentfulPaintMs: fcp ? Math.round(fcp.startTime) : null,
            transferKb: Math.round(
              performance
                .getEntriesByType('resource')
                .reduce((s, r) => s + r.transferSize, nav.transferSize) / 1024,
            ),
          };
        }),
      );
    } finally {
      await context.close();
    }
  }
  return loads;
}
