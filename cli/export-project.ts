/**
 * `npm run train -- --export pytorch|keras --out DIR [run flags]`: writes the run as a Python
 * project (src/export/) into DIR instead of training it. Nothing starts a browser: the project
 * is text made from the settings and the architecture.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  createTrainingProject,
  EXPORT_FRAMEWORKS,
  type ExportFramework,
} from '../src/export/training-project';
import type { TrainingParams } from '../src/training/training-params';
import { UsageError } from './usage-error';

/** The framework named by `--export`, or a UsageError listing the choices. */
export function exportFrameworkOf(text: string | undefined): ExportFramework | undefined {
  if (text === undefined) return undefined;
  const found = EXPORT_FRAMEWORKS.find((framework) => framework.id === text);
  if (!found) {
    const ids = EXPORT_FRAMEWORKS.map((framework) => framework.id).join(' or ');
    throw new UsageError(`Unknown --export ${JSON.stringify(text)} (${ids}).`);
  }
  return found.id;
}

/**
 * Writes the project of `params` for `framework` into `outDir`, which must be new or empty;
 * returns the lines to print: what was written and the command that runs it.
 */
export function writeTrainingProject(
  params: TrainingParams,
  framework: ExportFramework,
  outDir: string | undefined,
  showPath: (path: string) => string,
  dataPath: string | undefined,
): string[] {
  if (outDir === undefined) {
    throw new UsageError('--export writes a project into a folder: give it with --out DIR.');
  }
  if (existsSync(outDir) && (!statSync(outDir).isDirectory() || readdirSync(outDir).length > 0)) {
    throw new UsageError(`--out ${showPath(outDir)} is not an empty folder; choose a new one.`);
  }
  const files = createTrainingProject({ params, framework });
  for (const file of files) {
    const path = join(outDir, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
  }
  const label = EXPORT_FRAMEWORKS.find((f) => f.id === framework)?.label ?? framework;
  const data = dataPath ?? 'DATA_DIR';
  const run =
    framework === 'pytorch'
      ? `python3 train.py --path ${data}   (or: torchrun --nproc_per_node N train.py --path ${data})`
      : `python3 train.py --path ${data}`;
  return [
    `Wrote the ${label} project of this run to ${showPath(outDir)}: ${files.map((f) => f.path).join(', ')}.`,
    `Run it there with: ${run}`,
    'Its README.md has the commands for several processes and machines.',
  ];
}
