/**
 * How `npm run train` starts Debian's Chromium on a user's machine; the tests and benchmarks
 * start it the same way plus their own flags (tests/support/chromium-options.mjs). Plain
 * JavaScript so that plain-Node scripts can import it too.
 *
 * playwright-core adds its own defaults to every launch (no sandbox, no first-run UI, no
 * background throttling of the page, among others); these are what the command needs beyond
 * them, each said here so that the command does not rest on a library default it relies on.
 */

/** Where Chromium is; `apt-get install chromium` puts it here on Debian/Ubuntu. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const COMMAND_CHROMIUM_ARGS = [
  // The user's data never leaves the machine, and the command talks to nothing but its local
  // server: no field trials, component updates or sync traffic from Chromium itself.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // `--backend webgl` on a machine without a GPU gets Chromium's software renderer
  // (SwiftShader), whose WebGL Chromium refuses to start without this flag.
  '--enable-unsafe-swiftshader',
];
