/**
 * The exported project's tab_compat.py (plain Python and numpy) draws what the tab draws: the
 * same row order of every epoch, the same flip and shift of every row and the same augmented
 * pixels, the same learning rate at every step, the same smoothed targets; it reads the same
 * dataset files and refuses what the tab refuses. Run with the system's python3 and numpy.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PIXELS_PER_IMAGE } from '../../../src/config/dataset';
import { createModel } from '../../../src/model/architectures';
import { augmentationOf, augmentImage } from '../../../src/training/augment';
import { BatchGatherer, fillEpochOrder } from '../../../src/training/batches';
import { learningRateAt, LR_SCHEDULES } from '../../../src/training/lr-schedule';
import {
  DEFAULT_TRAINING_PARAMS,
  findTrainingParamsProblems,
  SEED_RECIPE,
  type TrainingParams,
} from '../../../src/training/training-params';
import { csvFixture, idxFile } from '../../support/fixtures';
import { writeExportedProject } from '../../support/exported-project';
import { findPython, runPython } from '../../support/python';
import { loadRealSplit } from '../training/real-data';

let projectDir: string;
let python: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  python = findPython(['numpy']);
  projectDir = writeExportedProject({ params: DEFAULT_TRAINING_PARAMS, framework: 'pytorch' });
});
afterAll(() => {
  if (projectDir) rmSync(projectDir, { recursive: true, force: true });
});

/** Runs `code` (which may use `tab`, `np`, `json` and `request`, and prints JSON) and parses it. */
async function askPython<T>(code: string, request: unknown = null): Promise<T> {
  const script = `import json, sys\nimport numpy as np\nimport tab_compat as tab\nrequest = json.load(sys.stdin)\n${code}\n`;
  const run = await runPython(python, ['-c', script], {
    cwd: projectDir,
    input: JSON.stringify(request),
  });
  if (run.status !== 0) throw new Error(`python failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

describe('the tab’s randomness, ported', () => {
  test('every epoch’s row order', async () => {
    const cases = [
      { count: 1600, seed: 7, epoch: 0 },
      { count: 1600, seed: 7, epoch: 3 },
      { count: 48_000, seed: 0xdeadbeef, epoch: 9 },
      { count: 2, seed: 0, epoch: 1 },
      { count: 1, seed: 5, epoch: 0 },
    ];
    const orders = await askPython<number[][]>(
      'print(json.dumps([tab.epoch_order(c["count"], c["seed"], c["epoch"]).tolist() for c in request]))',
      cases,
    );
    cases.forEach(({ count, seed, epoch }, i) => {
      const order = new Uint32Array(count);
      fillEpochOrder(order, seed, epoch);
      expect(orders[i]).toEqual(Array.from(order));
    });
  });

  test('every row’s flip and shift, and the pixels they give', async () => {
    const images = loadRealSplit('train', 200).images;
    const rows = Array.from({ length: 200 }, (_, i) => i);
    const settings = [
      { flip: true, shiftPx: 2, seed: 123, epoch: 4 },
      { flip: false, shiftPx: 4, seed: 0xffffffff, epoch: 0 },
      { flip: true, shiftPx: 0, seed: 9, epoch: 59 },
    ];
    const answers = await askPython<{ draws: number[][]; pixels: number[] }[]>(
      `images = np.array(request["images"], dtype=np.uint8).reshape(-1, 28, 28)
out = []
for s in request["settings"]:
    flipped, dx, dy = tab.augmentation_of(s["flip"], s["shiftPx"], s["seed"], s["epoch"], request["rows"])
    pixels = tab.augment_images(images, flipped, dx, dy)
    out.append({"draws": [[int(f), int(x), int(y)] for f, x, y in zip(flipped, dx, dy)],
                "pixels": pixels.reshape(-1).tolist()})
print(json.dumps(out))`,
      { images: Array.from(images), rows, settings },
    );
    const scratch = new Uint8Array(PIXELS_PER_IMAGE);
    settings.forEach(({ flip, shiftPx, seed, epoch }, s) => {
      const pixels = images.slice();
      const draws = rows.map((row) => {
        const a = augmentationOf({ flip, shiftPx }, seed, epoch, row);
        augmentImage(pixels, row * PIXELS_PER_IMAGE, a, scratch);
        return [Number(a.isFlipped), a.dx, a.dy];
      });
      expect(answers[s].draws).toEqual(draws);
      expect(answers[s].pixels).toEqual(Array.from(pixels));
    });
  });
});

describe('the tab’s initial weights, ported', () => {
  // A seed near 2^32 checks that the k-th kernel's seed (seed + k) is written as JavaScript
  // writes the number, past the 32-bit range.
  test.each([1, 0xfffffffe])('seed %i: every weight, bit for bit', async (seed) => {
    const weights = await askPython<Record<string, string>>(
      `import base64
specs = tab.read_tab_format("tab-model-format.json")["weightSpecs"]
weights = tab.initial_weights(specs, request)
print(json.dumps({k: base64.b64encode(v.astype("<f4").tobytes()).decode() for k, v in weights.items()}))`,
      seed,
    );
    const model = createModel(DEFAULT_TRAINING_PARAMS.architectureId, { seed });
    try {
      const expected = model.weights.map((w) => [w.originalName, w.read().dataSync()] as const);
      expect(Object.keys(weights).sort()).toEqual(expected.map(([name]) => name).sort());
      for (const [name, values] of expected) {
        const tabBytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
        expect(Buffer.from(weights[name], 'base64').equals(tabBytes), name).toBe(true);
      }
    } finally {
      model.dispose();
    }
  });
});

describe('learning rate and targets', () => {
  test('the rate of every step of every schedule', async () => {
    const shapes = LR_SCHEDULES.flatMap(({ id }) => [
      { kind: id, learningRate: 0.003, epochs: 7, stepsPerEpoch: 13 },
      { kind: id, learningRate: 0.002, epochs: 4, stepsPerEpoch: 1 },
    ]);
    const rates = await askPython<number[][]>(
      `print(json.dumps([[tab.learning_rate_at(s["kind"], s["learningRate"], s["epochs"], s["stepsPerEpoch"], step)
    for step in range(s["epochs"] * s["stepsPerEpoch"])] for s in request]))`,
      shapes,
    );
    shapes.forEach((shape, i) => {
      const expected = Array.from({ length: shape.epochs * shape.stepsPerEpoch }, (_, step) =>
        learningRateAt(shape, step),
      );
      expect(rates[i]).toHaveLength(expected.length);
      // Python's and V8's cosines may differ in the last bit.
      rates[i].forEach((rate, step) => expect(rate).toBeCloseTo(expected[step], 15));
      expect(new Set(rates[i]).size).toBe(new Set(expected).size);
    });
  });

  test('smoothed targets are the tab’s float32 values', async () => {
    const labels = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3]);
    const split = { images: new Uint8Array(labels.length * PIXELS_PER_IMAGE), labels };
    const { ys, xs } = new BatchGatherer(split, labels.length, { labelSmoothing: 0.1 }).gatherRange(
      0,
      labels.length,
    );
    const tab = Array.from(await ys.data());
    tf.dispose([xs, ys]);
    const python = await askPython<number[][]>(
      'print(json.dumps(tab.smoothed_targets(request, 0.1).tolist()))',
      Array.from(labels),
    );
    expect(python.flat()).toEqual(tab);
  });
});

describe('data and settings', () => {
  test('the CSV and IDX readers give the real rows, and the validation split is Keras’', async () => {
    const expected = loadRealSplit('train', 100);
    const answer = await askPython<{
      csv: number[];
      idx: number[];
      labels: number[];
      split: number[];
    }>(
      `csv_images, csv_labels = tab.read_csv_split(request["csv"])
idx_images, idx_labels = tab.read_idx_split(request["images"], request["labels"])
train, validation = tab.split_for_validation(csv_images, csv_labels, 0.2)
print(json.dumps({"csv": csv_images.reshape(-1).tolist(), "labels": csv_labels.tolist(),
                  "idx": idx_images[:100].reshape(-1).tolist(),
                  "split": [len(train[1]), len(validation[1]), int(validation[1][0])]}))`,
      {
        csv: csvFixture('small').trainCsv,
        images: idxFile('train-images-idx3-ubyte.gz'),
        labels: idxFile('train-labels-idx1-ubyte.gz'),
      },
    );
    expect(answer.csv).toEqual(Array.from(expected.images));
    expect(answer.idx).toEqual(Array.from(expected.images));
    expect(answer.labels).toEqual(Array.from(expected.labels));
    expect(answer.split).toEqual([80, 20, expected.labels[80]]);
  });

  test('a bad CSV value is refused with its file, line and column', async () => {
    const path = join(projectDir, 'bad_train.csv');
    const text = readFileSync(csvFixture('small').trainCsv, 'utf8').split('\n').slice(0, 4);
    const fields = text[2].split(',');
    fields[5] = '256';
    text[2] = fields.join(',');
    writeFileSync(path, `${text.join('\n')}\n`);
    const message = await askPython<string>(
      `try:
    tab.read_csv_split(request)
    print(json.dumps("read"))
except tab.DatasetError as error:
    print(json.dumps(str(error)))`,
      path,
    );
    expect(message).toBe(
      'bad_train.csv, line 3, column pixel5: expected a pixel value from 0 to 255, found "256".',
    );
  });

  test('the settings validator refuses what the tab refuses', async () => {
    const candidates: TrainingParams[] = [
      DEFAULT_TRAINING_PARAMS,
      {
        ...DEFAULT_TRAINING_PARAMS,
        seed: 0xffffffff,
        recipe: { ...SEED_RECIPE, weightDecay: 0.1 },
      },
      { ...DEFAULT_TRAINING_PARAMS, epochs: 1001, batchSize: 0 },
      { ...DEFAULT_TRAINING_PARAMS, learningRate: 11, validationFraction: 0.9 },
      {
        ...DEFAULT_TRAINING_PARAMS,
        recipe: { ...SEED_RECIPE, labelSmoothing: 0.3, augmentShiftPx: 5 },
      },
      {
        ...DEFAULT_TRAINING_PARAMS,
        recipe: { ...SEED_RECIPE, earlyStoppingPatience: 1001, weightDecay: 0.2 },
      },
    ];
    const counts = await askPython<number[]>(
      `out = []
for p in request["candidates"]:
    params = {"seed": None, **p, "recipe": {**request["seedRecipe"], **p.get("recipe", {})}}
    out.append(len(tab.find_training_params_problems(params)))
print(json.dumps(out))`,
      { candidates, seedRecipe: SEED_RECIPE },
    );
    expect(counts).toEqual(candidates.map((params) => findTrainingParamsProblems(params).length));
    expect(counts[0]).toBe(0);
    expect(counts.slice(2).every((count) => count === 2)).toBe(true);
  });
});
