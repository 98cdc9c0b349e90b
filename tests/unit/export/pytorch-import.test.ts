/**
 * The PyTorch export of each of the six architectures, started from the tab's model files
 * (`tab-model/`, as `Export as a training project` ships them), predicts what TensorFlow.js
 * predicts from the same files: within 1e-5 per probability on 100 real test images. Its own
 * output files (written after 0 epochs) hold the same weights bit for bit, load in
 * TensorFlow.js, and their metadata is what the tab reads. BatchNorm statistics are made non-trivial first, so a
 * weight moved to the wrong place shows.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_PIXEL_VALUE, NUM_CLASSES } from '../../../src/config/dataset';
import { ARCHITECTURES, type ArchitectureId } from '../../../src/model/architecture-catalog';
import { createModel } from '../../../src/model/architectures';
import { createModelMetadata, isModelMetadata } from '../../../src/storage/model-metadata';
import type { SerializedModel } from '../../../src/training/run-types';
import { serializeModel, deserializeModel } from '../../../src/training/serialized-model';
import { DEFAULT_TRAINING_PARAMS, SEED_RECIPE } from '../../../src/training/training-params';
import { csvFixture, FIXTURES_DIR } from '../../support/fixtures';
import { writeExportedProject } from '../../support/exported-project';
import { findPython, runPython } from '../../support/python';
import { loadRealSplit } from '../training/real-data';

/** Per-probability bound between PyTorch and tfjs (float32 sums in other orders). */
const PROBABILITY_TOLERANCE = 1e-5;
/** Test images compared: the 100 of the small fixture, every one the script predicts. */
const COMPARED_IMAGE_COUNT = 100;
/** tfjs' cpu kernels in Node are slow on the larger architectures: more room than the default. */
const PREDICTION_TEST_TIMEOUT_MS = 5 * 60_000;

let python: string;
const dirs: string[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
  python = findPython(['numpy', 'torch']);
  csvFixture('small');
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const OUTPUT_KERNEL_SCALE = 20;

/**
 * A seeded model whose BatchNorm parameters and statistics and biases are far from their
 * initial values, with confident outputs.
 */
async function modelWithDistinctWeights(id: ArchitectureId): Promise<tf.LayersModel> {
  const model = createModel(id, { seed: 11 });
  const weights = model.weights.map((weight, i) => {
    const shape = weight.shape as number[];
    const name = weight.originalName;
    const seed = 100 + i;
    if (name.endsWith('moving_variance')) return tf.randomUniform(shape, 0.5, 2, 'float32', seed);
    if (name.endsWith('gamma')) return tf.randomUniform(shape, 0.5, 1.5, 'float32', seed);
    if (/(moving_mean|beta|bias)$/.test(name))
      return tf.randomNormal(shape, 0, 0.2, 'float32', seed);
    // Larger output weights spread the probabilities, so each image's answer is distinct.
    if (name === 'predictions/kernel') return weight.read().mul(OUTPUT_KERNEL_SCALE);
    return weight.read().clone();
  });
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

/** float32 probabilities [n][10] of the first n test images, from a Node tfjs model. */
function predictInNode(model: tf.LayersModel): number[][] {
  const test = loadRealSplit('test', COMPARED_IMAGE_COUNT);
  return tf.tidy(() => {
    const xs = tf
      .tensor4d(Float32Array.from(test.images), [COMPARED_IMAGE_COUNT, 28, 28, 1])
      .div(MAX_PIXEL_VALUE);
    return (model.predict(xs) as tf.Tensor2D).arraySync();
  });
}

/** The probabilities of a predictions CSV (the tab's `Download test predictions` layout). */
function readPredictions(path: string): number[][] {
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n').slice(1);
  return lines.map((line) => line.split(',').slice(3).map(Number));
}

function maxDifference(a: number[][], b: number[][]): number {
  expect(a).toHaveLength(b.length);
  return Math.max(...a.flatMap((row, i) => row.map((value, c) => Math.abs(value - b[i][c]))));
}

function readOutputModel(dir: string, id: string): SerializedModel {
  const json = JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8'));
  const bin = readFileSync(join(dir, `${id}.weights.bin`));
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest[0].weights,
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
  };
}

describe.each(ARCHITECTURES.map((info) => info.id))('the PyTorch export of %s', (id) => {
  test(
    'starts from the tab’s weights with the tab’s predictions, and writes them back',
    async () => {
      const model = await modelWithDistinctWeights(id);
      const expected = predictInNode(model);
      const serialized = await serializeModel(model);
      model.dispose();
      const params = { ...DEFAULT_TRAINING_PARAMS, architectureId: id, seed: 3 };
      const metadata = createModelMetadata({
        id: 'tab-1',
        name: 'from the tab',
        trainingParams: params,
        epochsCompleted: 1,
        trainingAccuracy: 0.5,
        validationAccuracy: 0.5,
        testAccuracy: 0.5,
        tfjsVersion: tf.version.tfjs,
        createdAt: new Date(),
        sizeBytes: serialized.weightData.byteLength,
      });
      const dir = writeExportedProject({
        params,
        framework: 'pytorch',
        initialModel: { model: serialized, metadata, baseName: 'from the tab' },
      });
      dirs.push(dir);
      const run = await runPython(
        python,
        [
          'train.py',
          '--path',
          join(FIXTURES_DIR, 'small'),
          '--epochs',
          '0',
          '--out',
          'out',
          '--predictions-csv',
          'p.csv',
        ],
        { cwd: dir },
      );
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('starting from the weights in');

      const pytorch = readPredictions(join(dir, 'p.csv'));
      expect(pytorch).toHaveLength(100);
      expect(pytorch.every((row) => row.length === NUM_CLASSES)).toBe(true);
      // Probabilities far from uniform, so a weight in the wrong place could not hide.
      const spread = Math.max(...expected.map((row) => Math.max(...row) - Math.min(...row)));
      console.info(`${id}: largest probability spread ${spread.toFixed(3)}`);
      expect(spread).toBeGreaterThan(0.1);
      const compared = pytorch.slice(0, COMPARED_IMAGE_COUNT);
      expect(maxDifference(compared, expected)).toBeLessThanOrEqual(PROBABILITY_TOLERANCE);

      // PyTorch's files in the tab's format: the same weights, bit for bit, that tfjs reads.
      const written = readOutputModel(join(dir, 'out'), id);
      expect(written.weightSpecs).toEqual(serialized.weightSpecs);
      expect(Buffer.from(written.weightData).equals(Buffer.from(serialized.weightData))).toBe(true);
      const reloaded = await deserializeModel(written);
      expect(reloaded.countParams()).toBe(ARCHITECTURES.find((a) => a.id === id)!.totalParams);
      reloaded.dispose();
      const writtenMetadata = JSON.parse(
        readFileSync(join(dir, 'out', `${id}.metadata.json`), 'utf8'),
      );
      expect(isModelMetadata(writtenMetadata)).toBe(true);
      expect(writtenMetadata.trainingParams).toEqual({ ...params, epochs: 0, recipe: SEED_RECIPE });
    },
    PREDICTION_TEST_TIMEOUT_MS,
  );
});
