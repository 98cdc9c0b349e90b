/**
 * How tests and benchmarks start Debian's Chromium (no downloaded browser): the command line's
 * flags (cli/chromium-options.mjs) and the ones only tests and benchmarks need. Plain
 * JavaScript so that bench/run.mjs (plain Node) and the TypeScript tests share one list.
 */
import { CHROMIUM_PATH, COMMAND_CHROMIUM_ARGS } from '../../cli/chromium-options.mjs';

export { CHROMIUM_PATH };

export const CHROMIUM_ARGS = [
  ...COMMAND_CHROMIUM_ARGS,
  // Runs as root in a container; playwright adds it too unless asked for a sandbox.
  '--no-sandbox',
  // The tests measure the WASM and software paths, never a GPU the machine may have.
  '--disable-gpu',
  // No QUIC (HTTP/3) and no first-run work: the closed network here refuses their connections.
  '--disable-quic',
  '--no-first-run',
  // performance.memory in whole bytes, for the benchmarks' heap figures.
  '--enable-precise-memory-info',
];
