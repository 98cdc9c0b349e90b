#!/usr/bin/env node
/**
 * Writes the app's icons into public/: the favicon (SVG, drawn here), and PNGs of it rasterised
 * by Chromium (the one the browser tests use): 192 and 512 px for the web app manifest, a
 * maskable 512 px one (the garment inside the safe central circle, the background to the
 * edges), and the 180 px apple-touch-icon (opaque, as iOS wants).
 *
 *   node scripts/make-icons.mjs
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/support/chromium-options.mjs';
import { PROJECT_ROOT } from '../tests/support/csv-fixtures.mjs';

const PUBLIC_DIR = join(PROJECT_ROOT, 'public');
const BACKGROUND = '#1f4fd1';
/** A T-shirt (class 0 of Fashion-MNIST) in a 512 × 512 box. */
const SHIRT_PATH =
  'M176 96 L88 140 L48 228 L124 262 L144 222 L144 432 L368 432 L368 222 L388 262 L464 228 ' +
  'L424 140 L336 96 C320 132 290 150 256 150 C222 150 192 132 176 96 Z';

/** The icon as SVG; `scale` shrinks the garment about the centre (the maskable safe zone). */
function iconSvg({ scale = 1, rounded = true } = {}) {
  const radius = rounded ? 96 : 0;
  const offset = (512 * (1 - scale)) / 2;
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">',
    `<rect width="512" height="512" rx="${radius}" fill="${BACKGROUND}"/>`,
    `<path transform="translate(${offset} ${offset}) scale(${scale})" d="${SHIRT_PATH}" fill="#fff"/>`,
    '</svg>',
  ].join('');
}

const PNG_ICONS = [
  { file: 'pwa-192x192.png', size: 192, svg: iconSvg() },
  { file: 'pwa-512x512.png', size: 512, svg: iconSvg() },
  { file: 'maskable-icon-512x512.png', size: 512, svg: iconSvg({ scale: 0.7, rounded: false }) },
  { file: 'apple-touch-icon.png', size: 180, svg: iconSvg({ scale: 0.8, rounded: false }) },
];

async function main() {
  writeFileSync(join(PUBLIC_DIR, 'favicon.svg'), iconSvg() + '\n');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    for (const { file, size, svg } of PNG_ICONS) {
      const page = await browser.newPage({ viewport: { width: size, height: size } });
      await page.setContent(
        `<body style="margin:0"><img width="${size}" height="${size}" src="data:image/svg+xml,${encodeURIComponent(svg)}"></body>`,
      );
      await page.locator('img').evaluate((img) => img.decode());
      const png = await page.screenshot({ omitBackground: true });
      writeFileSync(join(PUBLIC_DIR, file), png);
      console.log(`${file}: ${size} px, ${png.length} bytes`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
}

await main();
