/**
 * The folder layers of src/ are enforced by dependency-cruiser with the project's own rule set
 * (.dependency-cruiser.cjs, run by `npm run lint`). These tests show the rules bite: a small
 * tree with a deliberately wrong import (type-only, the easiest to miss) and one with a cycle
 * both fail, and the real src/ passes.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { PROJECT_ROOT } from '../../support/fixtures';

const CONFIG = join(PROJECT_ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(PROJECT_ROOT, 'node_modules', '.bin', 'depcruise');

/** Runs dependency-cruiser with the project's rules on `src/` under `cwd`. */
function cruise(cwd: string): { status: number | null; output: string } {
  const result = spawnSync(DEPCRUISE, ['src', '--config', CONFIG], { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const trees: string[] = [];

/** A throwaway project whose files are `files` (path → source), with a minimal tsconfig. */
function makeTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'fms-import-rules-'));
  trees.push(root);
  const all = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'ESNext', strict: true } }),
    ...files,
  };
  for (const [path, source] of Object.entries(all)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), source);
  }
  return root;
}

afterEach(() => {
  for (const root of trees.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('the import rules of src/', () => {
  test('a type-only import from training into storage (a layer above) fails', () => {
    const root = makeTree({
      'src/storage/checkpoint-store.ts': 'export interface StoredCheckpoint { key: string }\n',
      'src/training/engine.ts':
        "import type { StoredCheckpoint } from '../storage/checkpoint-store';\n" +
        'export const keyOf = (checkpoint: StoredCheckpoint): string => checkpoint.key;\n',
    });
    const { status, output } = cruise(root);
    expect(status).not.toBe(0);
    expect(output).toContain(
      'training-imports-only-below: src/training/engine.ts → src/storage/checkpoint-store.ts',
    );
  });

  test('the same import the other way round (storage uses training) passes', () => {
    const root = makeTree({
      'src/training/run-types.ts': 'export interface EpochMetrics { epoch: number }\n',
      'src/storage/checkpoint-store.ts':
        "import type { EpochMetrics } from '../training/run-types';\n" +
        'export const epochOf = (metrics: EpochMetrics): number => metrics.epoch;\n',
    });
    expect(cruise(root)).toMatchObject({ status: 0 });
  });

  test('a cycle between two files of one folder fails', () => {
    const root = makeTree({
      'src/model/a.ts': "import { b } from './b';\nexport const a = (): number => b() + 1;\n",
      'src/model/b.ts': "import { a } from './a';\nexport const b = (): number => a() - 1;\n",
    });
    const { status, output } = cruise(root);
    expect(status).not.toBe(0);
    expect(output).toContain('no-circular');
  });

  test("the project's own src/ keeps every rule", () => {
    const { status, output } = cruise(PROJECT_ROOT);
    expect(output).toContain('no dependency violations found');
    expect(status).toBe(0);
  });
});
