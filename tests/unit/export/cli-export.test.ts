/**
 * `npm run train -- --export pytorch|keras --out DIR` with the usual run flags: the project of
 * that run lands in DIR (each framework's) and nothing trains; a wrong framework, a missing or non-empty --out
 * are refused with exit status 2 and a sentence saying why.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCommandLine } from '../../../cli/main';
import type { RunTerminal } from '../../../cli/terminal';
import { toPythonLiteral } from '../../../src/export/python-source';
import { getRecipePreset } from '../../../src/training/training-params';
import { PROJECT_ROOT } from '../../support/fixtures';

const root = mkdtempSync(join(tmpdir(), 'fms-cli-export-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A terminal that keeps what the command prints (stdout) and notes (stderr). */
function recordingTerminal(): RunTerminal & { printed: string[]; noted: string[] } {
  const printed: string[] = [];
  const noted: string[] = [];
  return {
    printed,
    noted,
    print: (line) => printed.push(line),
    note: (line) => noted.push(line),
    showBatch: () => undefined,
    showEpoch: (line) => printed.push(line),
  };
}

const exportWith = (args: string[]) => {
  const terminal = recordingTerminal();
  const status = runCommandLine(args, { root: PROJECT_ROOT, cwd: root }, terminal);
  return status.then((code) => ({ code, ...terminal }));
};

describe('npm run train -- --export', () => {
  test('writes the run’s project, with the preset and flags as its settings', async () => {
    const result = await exportWith([
      '--export',
      'keras',
      '--out',
      'best-conv2',
      '--recipe',
      'best',
      '--architecture',
      'conv2',
      '--epochs',
      '12',
    ]);
    expect(result.noted).toEqual([]);
    expect(result.code).toBe(0);
    const dir = join(root, 'best-conv2');
    expect(result.printed[0]).toBe(
      'Wrote the Keras project of this run to best-conv2: train.py, tab_compat.py, tab-model-format.json, README.md.',
    );
    const train = readFileSync(join(dir, 'train.py'), 'utf8');
    expect(train).toContain('ARCHITECTURE_ID = "conv2"');
    expect(train).toContain(
      `"recipe": ${toPythonLiteral(getRecipePreset('best').params.recipe, '    ')}`,
    );
    expect(train).toMatch(/"epochs": 12,\n {4}"batchSize": 128,\n {4}"learningRate": 0.002,/);
    expect(existsSync(join(dir, 'checkpoint'))).toBe(false);
  });

  test('--export pytorch writes the PyTorch project, its model class and the flags’ settings', async () => {
    const result = await exportWith([
      '--export',
      'pytorch',
      '--out',
      'quick-seed',
      '--recipe',
      'quick',
      '--batch-size',
      '32',
      '--optimizer',
      'sgd-momentum',
      '--seed',
      '5',
    ]);
    expect(result.noted).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.printed[0]).toBe(
      'Wrote the PyTorch project of this run to quick-seed: train.py, tab_compat.py, tab-model-format.json, README.md.',
    );
    const train = readFileSync(join(root, 'quick-seed', 'train.py'), 'utf8');
    expect(train).toContain('ARCHITECTURE_ID = "seed-cnn"');
    expect(train).toContain('class SeedCnn(nn.Module):');
    expect(train).toContain('class TabBatchSampler(Sampler):');
    const quick = getRecipePreset('quick').params;
    expect(train).toContain(`"epochs": ${quick.epochs},\n    "batchSize": 32,`);
    expect(train).toContain('"optimizer": "sgd-momentum"');
    expect(train).toContain('"seed": 5,');
    expect(train).toContain(`"recipe": ${toPythonLiteral(quick.recipe, '    ')}`);
  });

  test('refuses an unknown framework, a missing --out and a folder that is not empty', async () => {
    const unknown = await exportWith(['--export', 'jax', '--out', 'x']);
    expect([unknown.code, unknown.noted]).toEqual([
      2,
      ['Unknown --export "jax" (pytorch or keras).'],
    ]);
    const noOut = await exportWith(['--export', 'pytorch']);
    expect([noOut.code, noOut.noted]).toEqual([
      2,
      ['--export writes a project into a folder: give it with --out DIR.'],
    ]);
    writeFileSync(join(root, 'taken.txt'), 'x');
    const taken = await exportWith(['--export', 'pytorch', '--out', '.']);
    expect([taken.code, taken.noted]).toEqual([
      2,
      ['--out . is not an empty folder; choose a new one.'],
    ]);
  });
});
