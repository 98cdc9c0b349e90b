import type { Browser } from 'playwright-core';

/**
 * Sizes raw and gzipped (level 6): exact bytes, and KiB (1,024 bytes) rounded for the tables.
 */
export interface BundleTotal {
  rawBytes: number;
  gzipBytes: number;
  rawKb: number;
  gzipKb: number;
}

/** One file of dist/assets: where it loads and its size. */
export interface BundleFileSize extends BundleTotal {
  file: string;
  loads: 'first screen' | 'lazy' | 'wasm (lazy)';
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
