/**
 * Hostile model files stay harmless: a seeded fuzzer (fast-check) over a real downloaded model
 * (conv1's model JSON, weights and metadata as `Download` writes them). Each case must settle
 * within its bound, as a model or as a StorageError that names one of the files given.
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../../src/model/architectures';
import { createModelMetadata } from '../../../src/storage/model-metadata';
import { createModelDownloadFiles } from '../../../src/storage/model-download-files';
import { readModelFiles } from '../../../src/storage/model-upload';
import { StorageError } from '../../../src/storage/storage-error';
import { serializeModel } from '../../../src/training/serialized-model';
import { DEFAULT_TRAINING_PARAMS } from '../../../src/training/training-params';
import { mutate, mutationArbitrary, withinBound } from '../data/fuzz-helpers';

const SEED = 14;
const FUZZ_TIMEOUT_MS = 600_000;

let modelJson: unknown;
let modelJsonText: string;
let weights: Uint8Array;
let metadataText: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const model = createModel('conv1', { seed: 1 });
  const serialized = await serializeModel(model);
  model.dispose();
  const metadata = createModelMetadata({
    id: 'b5f0b2a4-0000-4000-8000-000000000014',
    name: 'conv1 <b>bold</b>',
    trainingParams: { ...DEFAULT_TRAINING_PARAMS, architectureId: 'conv1', seed: 1 },
    epochsCompleted: 0,
    trainingAccuracy: null,
    validationAccuracy: null,
    testAccuracy: null,
    tfjsVersion: tf.version.tfjs,
    createdAt: new Date('2025-05-06T07:08:09.000Z'),
    sizeBytes: serialized.weightData.byteLength,
  });
  const files = createModelDownloadFiles(serialized, metadata, 'fuzz-model');
  modelJsonText = await files[0].blob.text();
  modelJson = JSON.parse(modelJsonText);
  weights = new Uint8Array(await files[1].blob.arrayBuffer());
  metadataText = await files[2].blob.text();
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Paths to every value of `value` (objects and arrays walked), root excluded. */
function pathsOf(value: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const path = [...prefix, Array.isArray(value) ? Number(key) : key];
      out.push(path);
      pathsOf(child, path, out);
    }
  }
  return out;
}

/** A copy of `root` with the value at `path` replaced (or, for `undefined`, deleted). */
function replaceAt(root: Json, path: (string | number)[], replacement: Json | undefined): Json {
  const copy = structuredClone(root);
  let parent = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path[path.length - 1];
  if (replacement === undefined) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

const NAMES = ['fuzz-model.json', 'fuzz-model.weights.bin', 'fuzz-model.metadata.json'];

/** Reads the files; a rejection must be a StorageError naming one of them. */
async function expectHarmless(files: File[]): Promise<void> {
  try {
    const result = await withinBound(readModelFiles(files), 'readModelFiles');
    expect(result.model.weightData.byteLength).toBe(
      result.model.weightSpecs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0),
    );
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    expect(NAMES.some((name) => error.message.includes(name))).toBe(true);
  }
}

const file = (bytes: BlobPart, name: string) => new File([bytes], name);

describe('fuzzed model files', () => {
  it(
    'model JSON values replaced or deleted anywhere in its tree',
    async () => {
      const paths = pathsOf(modelJson as Json);
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.tuple(
              fc.nat(paths.length - 1),
              fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
            ),
            { minLength: 1, maxLength: 3 },
          ),
          async (edits) => {
            let json = modelJson as Json;
            for (const [index, replacement] of edits) {
              const candidates = pathsOf(json);
              if (candidates.length === 0) break;
              json = replaceAt(
                json,
                candidates[index % candidates.length],
                replacement as Json | undefined,
              );
            }
            await expectHarmless([
              file(JSON.stringify(json), 'fuzz-model.json'),
              file(weights as BlobPart, 'fuzz-model.weights.bin'),
            ]);
          },
        ),
        { seed: SEED, numRuns: 700 },
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'model JSON, weights and metadata bytes mutated',
    async () => {
      const encoder = new TextEncoder();
      await fc.assert(
        fc.asyncProperty(
          fc.array(mutationArbitrary, { maxLength: 3 }),
          fc.array(mutationArbitrary, { maxLength: 2 }),
          fc.array(mutationArbitrary, { maxLength: 3 }),
          async (jsonEdits, weightEdits, metadataEdits) => {
            const weightBytes = weightEdits.length === 0 ? weights : mutate(weights, weightEdits);
            await expectHarmless([
              file(mutate(encoder.encode(modelJsonText), jsonEdits) as BlobPart, 'fuzz-model.json'),
              file(weightBytes as BlobPart, 'fuzz-model.weights.bin'),
              file(
                mutate(encoder.encode(metadataText), metadataEdits) as BlobPart,
                'fuzz-model.metadata.json',
              ),
            ]);
          },
        ),
        { seed: SEED, numRuns: 500 },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
