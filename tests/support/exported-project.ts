/**
 * Exported training projects on disk, for the tests that run them with Python.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  createTrainingProject,
  type ProjectFile,
  type TrainingProjectRequest,
} from '../../src/export/training-project';

/** Writes `files` under `dir` (made if missing) and returns `dir`. */
export function writeProjectFiles(dir: string, files: readonly ProjectFile[]): string {
  for (const file of files) {
    const path = join(dir, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
  }
  return dir;
}

/** The project of `request` in a new temporary folder; returns the folder. */
export function writeExportedProject(
  request: TrainingProjectRequest,
  prefix = 'fms-export-',
): string {
  return writeProjectFiles(mkdtempSync(join(tmpdir(), prefix)), createTrainingProject(request));
}
