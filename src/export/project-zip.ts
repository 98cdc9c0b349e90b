/**
 * An exported project as one .zip (the only importer of fflate in src/export/): the files under
 * one top folder, so unpacking it makes one folder.
 */
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { ProjectFile } from './training-project';

/** Deflate level: the weights barely compress, the text does at any level. */
const ZIP_COMPRESSION_LEVEL = 6;

/** The .zip bytes of `files` under `folder/`. */
export function zipProject(folder: string, files: readonly ProjectFile[]): Uint8Array {
  const entries: Zippable = {};
  for (const file of files) {
    const content = typeof file.content === 'string' ? strToU8(file.content) : file.content;
    entries[`${folder}/${file.path}`] = content;
  }
  return zipSync(entries, { level: ZIP_COMPRESSION_LEVEL });
}
