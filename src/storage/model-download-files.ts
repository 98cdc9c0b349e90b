/**
 * The files of a model download: the TensorFlow.js layers format (`<name>.json` +
 * `<name>.weights.bin`, byte for byte what `model.save('downloads://<name>')` writes) plus our
 * `<name>.metadata.json`. No tfjs import (only erased types), because the main thread of the
 * app writes these files without loading TensorFlow.js; the only DOM used is `Blob`, which
 * Node 20 has too. model-upload.ts reads them back.
 */
import type { SerializedModel } from '../training/run-types';
import type { ModelMetadata } from './model-metadata';

type WeightSpec = SerializedModel['weightSpecs'][number];

/** One group of tfjs's `weightsManifest`: weights stored back to back across `paths`. */
export interface WeightsManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** The `model.json` of the tfjs layers format (tfjs-core `io.ModelJSON`, the fields we write). */
export interface LayersModelJson {
  modelTopology: object;
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  weightsManifest: WeightsManifestGroup[];
}

export interface ModelDownloadFile {
  name: string;
  blob: Blob;
}

/** tfjs's names (tfjs-core io/browser_files.ts), so our downloads look like tfjs's own. */
export const MODEL_JSON_SUFFIX = '.json';
export const WEIGHTS_FILE_SUFFIX = '.weights.bin';
export const METADATA_FILE_SUFFIX = '.metadata.json';
/** tfjs-layers' `LAYERS_MODEL_FORMAT_NAME`. */
export const LAYERS_MODEL_FORMAT = 'layers-model';
const GENERATED_BY = 'TensorFlow.js tfjs-layers';

const DEFAULT_BASE_NAME = 'model';
/** Room for the longest suffix within the 255-byte name limit of common file systems. */
const MAX_BASE_NAME_CHARS = 100;
/** Device names Windows refuses as file names, with or without an extension. */
const WINDOWS_RESERVED_NAME = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/**
 * A file name stem safe on Windows, macOS and Linux: letters, digits, `.`, `_`, `-` only,
 * runs of anything else become one `-`, no leading or trailing dot or dash, at most
 * MAX_BASE_NAME_CHARS characters, `model` when nothing is left.
 */
export function sanitizeFileBaseName(baseName: string): string {
  let safe = baseName
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/^[.\-_]+|[.\-_]+$/g, '');
  // Slice by code points, so a cut never splits a surrogate pair.
  safe = Array.from(safe)
    .slice(0, MAX_BASE_NAME_CHARS)
    .join('')
    .replace(/[.-]+$/, '');
  if (safe.length === 0) return DEFAULT_BASE_NAME;
  return WINDOWS_RESERVED_NAME.test(safe) ? `${DEFAULT_BASE_NAME}-${safe}` : safe;
}

/**
 * The `model.json` tfjs would write for `model`, with the weights in `weightsFileName`.
 * `tfjsVersion` null: unknown, left out of `generatedBy` (tfjs only shows it, never parses it).
 */
export function createLayersModelJson(
  model: SerializedModel,
  tfjsVersion: string | null,
  weightsFileName: string,
): LayersModelJson {
  // Same key order and './' path prefix as tfjs's BrowserDownloads; tfjs-layers is released in
  // lockstep with tfjs, so the app's tfjs version is also its tfjs-layers version.
  return {
    modelTopology: model.modelTopology,
    format: LAYERS_MODEL_FORMAT,
    generatedBy: tfjsVersion === null ? GENERATED_BY : `${GENERATED_BY} v${tfjsVersion}`,
    convertedBy: null,
    weightsManifest: [{ paths: [`./${weightsFileName}`], weights: model.weightSpecs }],
  };
}

export interface ModelDownloadOptions {
  /** tfjs version for `generatedBy` when there is no metadata to take it from. */
  tfjsVersion?: string;
}

/**
 * The files of a download, in this order: `<base>.json` (tfjs layers model),
 * `<base>.weights.bin` (all weights, weightSpecs order) and, when `metadata` is given,
 * `<base>.metadata.json` (ours; a model read from files without metadata has none).
 * `baseName` is sanitized (sanitizeFileBaseName). The tfjs version in `generatedBy` is the
 * metadata's, else `options.tfjsVersion`; with neither, `generatedBy` carries no version.
 */
export function createModelDownloadFiles(
  model: SerializedModel,
  metadata: ModelMetadata | null,
  baseName: string,
  options: ModelDownloadOptions = {},
): ModelDownloadFile[] {
  const base = sanitizeFileBaseName(baseName);
  const weightsName = `${base}${WEIGHTS_FILE_SUFFIX}`;
  const tfjsVersion = metadata?.tfjsVersion ?? options.tfjsVersion ?? null;
  const modelJson = createLayersModelJson(model, tfjsVersion, weightsName);
  const files: ModelDownloadFile[] = [
    {
      name: `${base}${MODEL_JSON_SUFFIX}`,
      blob: new Blob([JSON.stringify(modelJson)], { type: 'application/json' }),
    },
    {
      name: weightsName,
      blob: new Blob([model.weightData], { type: 'application/octet-stream' }),
    },
  ];
  if (metadata) {
    files.push({
      name: `${base}${METADATA_FILE_SUFFIX}`,
      blob: new Blob([JSON.stringify(metadata, null, 2)], { type: 'application/json' }),
    });
  }
  return files;
}
