/**
 * Hostile model files stay harmless: a seeded fuzzer (fast-check) over a real downloaded model
 * (conv1's model JSON, weights and metadata as `Download` writes them). Each case must settle
 * within its bound, as a model or as a StorageError that names one of the files given. Files
 * that read well are then built as the page builds them before adopting a model (the engine's
 * predict request on a blank image): they must build, or be refused with a message that starts
 * with the model JSON's name, and no case may leave a tensor behind.
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createModel } from '../../../src/model/architectures';
import { checkModelBuilds } from '../../../src/storage/model-build-check';
import { createModelMetadata } from '../../../src/storage/model-metadata';
import { createModelDownloadFiles } from '../../../src/storage/model-download-files';
import { readModelFiles } from '../../../src/storage/model-upload';
import { StorageError } from '../../../src/storage/storage-error';
import { createTrainingEngine, type TrainingEngine } from '../../../src/training/engine';
import { serializeModel } from '../../../src/training/serialized-model';
import { DEFAULT_TRAINING_PARAMS } from '../../../src/training/training-params';
import { mutate, mutationArbitrary, withinBound } from '../data/fuzz-helpers';
import { CPU_BACKEND_REQUEST } from '../training/real-data';

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

/** The engine that builds the cases (as the page's worker does), and what the cases came to. */
let engine: TrainingEngine;
let tensorsBefore: number;
let outcomes: { refusedOnReading: number; refusedOnBuilding: number; built: number };

beforeEach(() => {
  engine = createTrainingEngine('main-thread', () => undefined);
  tensorsBefore = tf.memory().numTensors;
  outcomes = { refusedOnReading: 0, refusedOnBuilding: 0, built: 0 };
});

afterEach(async () => {
  engine.dispose();
  // The engine's cached model is disposed once its promise settles.
  await new Promise((resolve) => setTimeout(resolve, 0));
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

/** The last case's model id: each case is a new model for the engine's cache. */
let caseNumber = 0;

/** Builds a model that was read, as the page does before adopting it. */
function buildAsThePageDoes(read: Awaited<ReturnType<typeof readModelFiles>>): Promise<void> {
  const modelId = `case-${++caseNumber}`;
  return checkModelBuilds(read, (model, images) =>
    engine.predict({
      requestId: caseNumber,
      modelId,
      model,
      images,
      backendRequest: CPU_BACKEND_REQUEST,
    }),
  );
}

/**
 * Reads the files; a rejection must be a StorageError naming one of them. What reads well is
 * built; a refusal then must start with the model JSON's name.
 */
async function expectHarmless(files: File[]): Promise<void> {
  let read: Awaited<ReturnType<typeof readModelFiles>>;
  try {
    read = await withinBound(readModelFiles(files), 'readModelFiles');
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    expect(NAMES.some((name) => error.message.includes(name))).toBe(true);
    outcomes.refusedOnReading++;
    return;
  }
  expect(read.model.weightData.byteLength).toBe(
    read.model.weightSpecs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0),
  );
  try {
    await withinBound(buildAsThePageDoes(read), 'checkModelBuilds');
    outcomes.built++;
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    expect(error.message.startsWith('fuzz-model.json: ')).toBe(true);
    outcomes.refusedOnBuilding++;
  }
}

/** Each of the three outcomes happened, so no part of the property holds vacuously. */
function expectEveryOutcome(): void {
  expect(outcomes.refusedOnReading).toBeGreaterThan(0);
  expect(outcomes.refusedOnBuilding).toBeGreaterThan(0);
  expect(outcomes.built).toBeGreaterThan(0);
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
      expectEveryOutcome();
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
      expectEveryOutcome();
    },
    FUZZ_TIMEOUT_MS,
  );
});
