/**
 * How tests and benchmarks start Debian's Chromium (no downloaded browser). Plain JavaScript so
 * that bench/run.mjs (plain Node) and the TypeScript tests share one list.
 */

/** Where Chromium is; `apt-get install chromium` puts it here on Debian/Ubuntu. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // Without these the closed network here refuses Chromium's background connections.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // SwiftShader's WebGL is refused by Chromium without this; tfjs still needs its own flag.
  '--enable-unsafe-swiftshader',
  // performance.memory in whole bytes, for the benchmarks' heap figures.
  '--enable-precise-memory-info',
];
