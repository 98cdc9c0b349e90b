/**
 * `python3 train.py --help` of the exported projects: every flag says what it does, a default
 * is shown once and only where there is one (not "None", not after the required --path), and
 * --seed says what happens without one.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ExportFramework } from '../../../src/export/training-project';
import { DEFAULT_TRAINING_PARAMS } from '../../../src/training/training-params';
import { writeExportedProject } from '../../support/exported-project';
import { findPython, runPython } from '../../support/python';

let python: string;
const dirs: string[] = [];

beforeAll(() => {
  python = findPython(['numpy', 'torch']);
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** {flag: its help text on one line} from argparse's option list. */
function helpByFlag(help: string): Map<string, string> {
  const options = help.slice(help.search(/^(options|optional arguments):$/m));
  const entries = options.split(/\n(?= {2}-)/).slice(1);
  const flags = new Map<string, string>();
  for (const entry of entries) {
    const [first, ...rest] = entry.split('\n');
    const match = /^ {2}(\S+(?:,? \S+)*?)(?: {2,}(.*))?$/.exec(first);
    if (!match) throw new Error(`unexpected --help line: ${first}`);
    const text = [match[2] ?? '', ...rest.map((line) => line.trim())].join(' ').trim();
    flags.set(match[1].split(/[ ,]/)[0], text);
  }
  return flags;
}

async function exportedHelp(framework: ExportFramework, seed: number | undefined) {
  const dir = writeExportedProject({ params: { ...DEFAULT_TRAINING_PARAMS, seed }, framework });
  dirs.push(dir);
  const run = await runPython(python, ['train.py', '--help'], { cwd: dir });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return helpByFlag(run.stdout);
}

describe.each(['pytorch', 'keras'] as const)('the %s project’s --help', (framework) => {
  test('every flag has help, each default once, none "None"', async () => {
    const flags = await exportedHelp(framework, 1);
    expect(flags.size).toBeGreaterThan(20);
    for (const [flag, text] of flags) {
      expect(text, flag).not.toBe('');
      expect(text.match(/\(default:/g)?.length ?? 0, `${flag}: ${text}`).toBeLessThanOrEqual(1);
      expect(text, flag).not.toContain('(default: None)');
    }
    expect(flags.get('--path')).toBe('folder with the dataset files (required)');
    expect(flags.get('--epochs')).toBe('epochs to train (default: 10)');
    expect(flags.get('--seed')).toBe(
      'seed of initialisation, row order and augmentation (default: 1)',
    );
    expect(flags.get('--initial-predictions-csv')).toBe(
      "also write the starting weights' test predictions, before the first step",
    );
  });

  test('a run without a seed says the seed is drawn at random', async () => {
    const flags = await exportedHelp(framework, undefined);
    expect(flags.get('--seed')).toBe(
      'seed of initialisation, row order and augmentation (default: a random one)',
    );
  });
});
