import type { Browser } from 'playwright-core';

/** One file of dist/assets: where it loads and its size, KiB raw and gzipped (level 6). */
export interface BundleFileSize {
  file: string;
  loads: 'first screen' | 'lazy' | 'wasm (lazy)';
  rawKb: number;
  gzipKb: number;
}

export interface BundleTotal {
  rawKb: number;
  gzipKb: number;
}

/** Sizes of the build's assets, and the totals of what the first screen loads. */
export declare function bundleSizes(distDir: string): {
  rows: BundleFileSize[];
  firstScreen: BundleTotal;
  lazy: BundleTotal;
  wasm: BundleTotal;
};

/** Time to interactive of `url` over `repeats` fresh loads. */
export declare function timeToInteractive(
  browser: Browser,
  url: string,
  repeats: number,
): Promise<Record<string, number | null>[]>;
