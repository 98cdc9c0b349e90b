/**
 * The command line starts Chromium with its own flags, not a test helper's: cli/ imports
 * nothing from tests/, its list holds none of the flags only tests and benchmarks need, and
 * the tests' list is the command's plus those (so tests run the browser the command runs).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { COMMAND_CHROMIUM_ARGS } from '../../../cli/chromium-options.mjs';
import { CHROMIUM_ARGS } from '../../support/chromium-options.mjs';
import { PROJECT_ROOT } from '../../support/fixtures';

/** Flags for measuring in tests and benchmarks, wrong for a user's run. */
const TEST_ONLY_FLAGS = ['--disable-gpu', '--enable-precise-memory-info'];

test('no file of cli/ imports from tests/', () => {
  const cliDir = join(PROJECT_ROOT, 'cli');
  const sources = readdirSync(cliDir).filter((name) => /\.(ts|mjs|mts)$/.test(name));
  expect(sources).toContain('host-browser.ts');
  const importsFromTests = sources.filter((name) =>
    /from\s+['"][./]*tests\//.test(readFileSync(join(cliDir, name), 'utf8')),
  );
  expect(importsFromTests).toEqual([]);
});

test("the command's flags hold no test-only flag; the tests' flags are the command's and theirs", () => {
  expect(COMMAND_CHROMIUM_ARGS).toContain('--enable-unsafe-swiftshader');
  for (const flag of TEST_ONLY_FLAGS) {
    expect(COMMAND_CHROMIUM_ARGS).not.toContain(flag);
    expect(CHROMIUM_ARGS).toContain(flag);
  }
  expect(CHROMIUM_ARGS.slice(0, COMMAND_CHROMIUM_ARGS.length)).toEqual(COMMAND_CHROMIUM_ARGS);
  expect(new Set(CHROMIUM_ARGS).size).toBe(CHROMIUM_ARGS.length);
});
