/**
 * The recipe options of a run, on real Fashion-MNIST images: each learning-rate schedule against
 * its closed form, augmentation exact and repeatable, label smoothing, test-time flip averaging,
 * keeping the best epoch's weights, early stopping, decoupled weight decay, fresh dropout masks
 * for seeded runs, and the seed recipe unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { IMAGE_SIZE_PX, PIXELS_PER_IMAGE } from '../../../src/config/dataset';
import { createModel } from '../../../src/model/architectures';
import { augmentationOf, augmentImage } from '../../../src/training/augment';
import { BatchGatherer, fillEpochOrder } from '../../../src/training/batches';
import { evaluateModel } from '../../../src/training/evaluate';
import {
  learningRateAt,
  ONE_CYCLE_END_DIVISOR,
  ONE_CYCLE_START_DIVISOR,
  type LrScheduleShape,
} from '../../../src/training/lr-schedule';
import { RunControl } from '../../../src/training/run-control';
import type { SplitArrays } from '../../../src/training/run-types';
import { compileForTraining, trainModel } from '../../../src/training/train-loop';
import type { EpochCommit } from '../../../src/training/train-loop-types';
import {
  SEED_RECIPE,
  type RecipeSettings,
  type TrainingParams,
} from '../../../src/training/training-params';
import {
  applyWeightDecay,
  decayedWeights,
  DropoutSeeds,
  readWeightData,
} from '../../../src/training/weights';
import { loadRealSplit } from './real-data';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const REAL_TRAIN = loadRealSplit('train', 400);
const noWait = () => Promise.resolve();

/** Flatten → Dense32 relu → Dense10 softmax, seeded: fast enough for many short runs. */
function createTinyModel(seed: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({
        units: 32,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
      tf.layers.dense({
        units: 10,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
      }),
    ],
  });
}

function params(recipe: Partial<RecipeSettings> | undefined, epochs = 3): TrainingParams {
  return {
    architectureId: 'conv1',
    epochs,
    batchSize: 32,
    learningRate: 0.01,
    optimizer: 'adam',
    validationFraction: 0.2,
    seed: 11,
    ...(recipe ? { recipe: { ...SEED_RECIPE, ...recipe } } : {}),
  };
}

const weightsOf = (model: tf.LayersModel) =>
  model.getWeights().map((w) => Array.from(w.dataSync()));

describe('learning-rate schedules', () => {
  const shape = (kind: LrScheduleShape['kind']): LrScheduleShape => ({
    kind,
    learningRate: 0.002,
    epochs: 8,
    stepsPerEpoch: 10,
  });

  test('constant: the peak rate at every step', () => {
    for (const step of [0, 17, 79]) expect(learningRateAt(shape('constant'), step)).toBe(0.002);
  });

  test('step: ×0.1 from 50 % of the epochs, ×0.01 from 75 %', () => {
    const rates = Array.from({ length: 8 }, (_, epoch) =>
      learningRateAt(shape('step'), epoch * 10 + 3),
    );
    const expected = [1, 1, 1, 1, 0.1, 0.1, 0.01, 0.01].map((factor) => 0.002 * factor);
    rates.forEach((rate, epoch) => expect(rate).toBeCloseTo(expected[epoch], 15));
  });

  test('cosine: (1 + cos(π t / T)) / 2 of the peak', () => {
    for (const step of [0, 10, 40, 63, 79]) {
      expect(learningRateAt(shape('cosine'), step)).toBeCloseTo(
        (0.002 * (1 + Math.cos((Math.PI * step) / 80))) / 2,
        15,
      );
    }
  });

  test('one-cycle: cosine warm-up from peak/25 over 30 %, cosine anneal to peak/1e4', () => {
    const s = shape('one-cycle');
    const warmup = 24; // 30 % of 80 steps
    const start = 0.002 / ONE_CYCLE_START_DIVISOR;
    const end = 0.002 / ONE_CYCLE_END_DIVISOR;
    expect(learningRateAt(s, 0)).toBeCloseTo(start, 15);
    expect(learningRateAt(s, 12)).toBeCloseTo(
      start + ((0.002 - start) * (1 - Math.cos(Math.PI / 2))) / 2,
      15,
    );
    expect(learningRateAt(s, warmup)).toBeCloseTo(0.002, 15);
    const t = (70 - warmup) / (80 - warmup);
    expect(learningRateAt(s, 70)).toBeCloseTo(
      end + ((0.002 - end) * (1 + Math.cos(Math.PI * t))) / 2,
      15,
    );
    expect(learningRateAt(s, 80)).toBeCloseTo(end, 15);
  });
});

describe('augmentation', () => {
  const image = (index: number) =>
    REAL_TRAIN.images.slice(index * PIXELS_PER_IMAGE, (index + 1) * PIXELS_PER_IMAGE);
  const at = (pixels: Uint8Array, y: number, x: number) => pixels[y * IMAGE_SIZE_PX + x];
  const scratch = new Uint8Array(PIXELS_PER_IMAGE);

  test('a flip mirrors a real image exactly', () => {
    const original = image(3);
    const flipped = original.slice();
    augmentImage(flipped, 0, { isFlipped: true, dx: 0, dy: 0 }, scratch);
    for (let y = 0; y < IMAGE_SIZE_PX; y++) {
      for (let x = 0; x < IMAGE_SIZE_PX; x++) {
        expect(at(flipped, y, x)).toBe(at(original, y, IMAGE_SIZE_PX - 1 - x));
      }
    }
  });

  test('a shift moves a real image by whole pixels and fills with 0', () => {
    const original = image(5);
    const shifted = original.slice();
    augmentImage(shifted, 0, { isFlipped: false, dx: 2, dy: -1 }, scratch);
    for (let y = 0; y < IMAGE_SIZE_PX; y++) {
      for (let x = 0; x < IMAGE_SIZE_PX; x++) {
        const inside = y + 1 < IMAGE_SIZE_PX && x - 2 >= 0;
        expect(at(shifted, y, x)).toBe(inside ? at(original, y + 1, x - 2) : 0);
      }
    }
    // Flip and shift together: the mirrored image, shifted.
    const both = original.slice();
    augmentImage(both, 0, { isFlipped: true, dx: -1, dy: 2 }, scratch);
    expect(at(both, 10, 4)).toBe(at(original, 8, IMAGE_SIZE_PX - 1 - 5));
    expect(at(both, 1, 4)).toBe(0);
  });

  test('draws follow (seed, epoch, row) alone, and cover every flip and shift', () => {
    const settings = { flip: true, shiftPx: 2 };
    expect(augmentationOf(settings, 7, 3, 123)).toEqual(augmentationOf(settings, 7, 3, 123));
    const draws = Array.from({ length: 2000 }, (_, row) => augmentationOf(settings, 7, 3, row));
    const flips = draws.filter((d) => d.isFlipped).length;
    expect(flips).toBeGreaterThan(900);
    expect(flips).toBeLessThan(1100);
    expect(new Set(draws.map((d) => d.dx))).toEqual(new Set([-2, -1, 0, 1, 2]));
    expect(new Set(draws.map((d) => d.dy))).toEqual(new Set([-2, -1, 0, 1, 2]));
    const otherEpoch = Array.from({ length: 50 }, (_, row) => augmentationOf(settings, 7, 4, row));
    expect(otherEpoch).not.toEqual(draws.slice(0, 50));
    expect(augmentationOf({ flip: false, shiftPx: 0 }, 7, 3, 9)).toEqual({
      isFlipped: false,
      dx: 0,
      dy: 0,
    });
  });

  test('the gatherer augments each row of a batch as its draw says', () => {
    const gatherer = new BatchGatherer(REAL_TRAIN, 4);
    const rows = [10, 11, 12, 13];
    const epochAugmentation = { settings: { flip: true, shiftPx: 2 }, seed: 99, epoch: 1 };
    const { xs, ys } = gatherer.gather(rows, epochAugmentation);
    const batch = Uint8Array.from(xs.mul(255).round().dataSync());
    tf.dispose([xs, ys]);
    rows.forEach((row, i) => {
      const expected = image(row);
      augmentImage(expected, 0, augmentationOf(epochAugmentation.settings, 99, 1, row), scratch);
      expect(batch.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE)).toEqual(expected);
    });
  });
});

test('label smoothing makes targets (1 − ε) · one-hot + ε / 10', () => {
  const gatherer = new BatchGatherer(REAL_TRAIN, 3, { labelSmoothing: 0.1 });
  const { xs, ys } = gatherer.gatherRange(0, 3);
  const targets = ys.arraySync();
  tf.dispose([xs, ys]);
  targets.forEach((row, i) => {
    const label = REAL_TRAIN.labels[i];
    row.forEach((value, c) => expect(value).toBeCloseTo(c === label ? 0.91 : 0.01, 6));
  });
});

test('test-time flip averaging is the mean of the predictions for an image and its mirror', async () => {
  const model = createTinyModel(3);
  const test: SplitArrays = loadRealSplit('test', 40);
  const result = await evaluateModel(model, test, { testTimeFlip: true, batchSize: 16 });
  const expected = tf.tidy(() => {
    const xs = tf.tensor4d(test.images, [40, 28, 28, 1], 'int32').toFloat().div(255);
    const plain = model.predict(xs) as tf.Tensor2D;
    const mirrored = model.predict(xs.reverse(2)) as tf.Tensor2D;
    const mean = plain.add(mirrored).div(2) as tf.Tensor2D;
    const predicted = mean.argMax(1).dataSync();
    const correct = Array.from(predicted).filter((p, i) => p === test.labels[i]).length;
    return { accuracy: correct / 40, plainAccuracy: result.accuracy };
  });
  expect(result.flipAveraged?.accuracy).toBe(expected.accuracy);
  expect(result.flipAveraged?.loss).toBeGreaterThan(0);
  model.dispose();
});

describe('keeping the best epoch and stopping early', () => {
  test("the model ends with the weights of the best validation epoch's checkpoint", async () => {
    const model = createTinyModel(1);
    const commits: { commit: EpochCommit; weights: ArrayBuffer }[] = [];
    const outcome = await trainModel(
      model,
      { train: REAL_TRAIN },
      { ...params({ keepBestWeights: true }, 4), learningRate: 0.05 },
      {
        onEpochCommitted: async (commit) => {
          commits.push({ commit, weights: await readWeightData(model) });
        },
      },
      new RunControl(),
      { yieldToEventLoop: noWait },
    );
    const valAccuracies = outcome.history.map((h) => h.valAccuracy);
    const best = valAccuracies.indexOf(Math.max(...valAccuracies));
    // Seeded on cpu, so the run is the same every time: its best epoch is not its last one, and
    // the restore has something to do.
    expect(best).toBeLessThan(3);
    expect(outcome.keptEpoch).toBe(best);
    expect(commits.at(-1)!.commit.best?.epoch).toBe(best);
    expect(new Float32Array(await readWeightData(model))).toEqual(
      new Float32Array(commits[best].weights),
    );
    model.dispose();
  });

  test('early stopping ends the run once validation accuracy has not improved for the patience', async () => {
    const model = createTinyModel(2);
    // A rate so small the weights barely move: validation accuracy stays where epoch 1 left it.
    const outcome = await trainModel(
      model,
      { train: REAL_TRAIN },
      { ...params({ earlyStoppingPatience: 2 }, 10), learningRate: 1e-9 },
      {},
      new RunControl(),
      { yieldToEventLoop: noWait },
    );
    expect(outcome).toMatchObject({ end: 'completed', stoppedEarly: true, epochsCompleted: 3 });
    model.dispose();
  });
});

test('decoupled weight decay shrinks kernels by 1 − lr · λ and leaves biases alone', () => {
  const model = createTinyModel(4);
  const before = model.getWeights().map((w) => w.dataSync().slice());
  const kernels = decayedWeights(model);
  expect(kernels.map((k) => k.name)).toEqual(
    model.weights.filter((w) => w.name.endsWith('/kernel')).map((w) => w.name),
  );
  applyWeightDecay(kernels, 0.01, 0.05);
  model.getWeights().forEach((weight, i) => {
    const isKernel = model.weights[i].name.endsWith('/kernel');
    const factor = Math.fround(1 - 0.01 * 0.05);
    const after = weight.dataSync();
    after.forEach((value, j) =>
      expect(value).toBe(isKernel ? Math.fround(before[i][j] * factor) : before[i][j]),
    );
  });
  model.dispose();
});

test('seeded dropout draws a new mask every step, the same for the same step, and restores its seed', () => {
  const model = createModel('conv1', { seed: 5 });
  const seeds = new DropoutSeeds(model);
  const x = tf
    .tensor4d(REAL_TRAIN.images.slice(0, 2 * PIXELS_PER_IMAGE), [2, 28, 28, 1], 'int32')
    .toFloat()
    .div(255);
  const outputAt = (step: number) => {
    seeds.setStep(step);
    return tf.tidy(() => Array.from((model.apply(x, { training: true }) as tf.Tensor).dataSync()));
  };
  const first = outputAt(0);
  expect(outputAt(0)).toEqual(first);
  expect(outputAt(1)).not.toEqual(first);
  seeds.restore();
  const dropoutSeeds = model.layers
    .filter((layer) => layer.getClassName() === 'Dropout')
    .map((layer) => (layer.getConfig() as { seed?: number }).seed);
  expect(dropoutSeeds).toEqual(dropoutSeeds.map(() => 5));
  x.dispose();
  model.dispose();
});

test("monitoring the test set records each epoch's test accuracy without changing the run", async () => {
  const monitored = createTinyModel(8);
  const plain = createTinyModel(8);
  const test = loadRealSplit('test', 60);
  const outcome = await trainModel(
    monitored,
    { train: REAL_TRAIN },
    params(undefined, 1),
    {},
    new RunControl(),
    { yieldToEventLoop: noWait, monitorTest: test },
  );
  await trainModel(plain, { train: REAL_TRAIN }, params(undefined, 1), {}, new RunControl(), {
    yieldToEventLoop: noWait,
  });
  const direct = await evaluateModel(monitored, test);
  expect(outcome.history[0].testAccuracy).toBe(direct.accuracy);
  expect(outcome.history[0].testLoss).toBeCloseTo(direct.loss, 10);
  expect(weightsOf(monitored)).toEqual(weightsOf(plain));
  monitored.dispose();
  plain.dispose();
});

describe('the seed recipe', () => {
  test('trains exactly as a run without a recipe, and as plain trainOnBatch on the same batches', async () => {
    const withoutRecipe = createTinyModel(6);
    const withSeedRecipe = createTinyModel(6);
    const plain = createTinyModel(6);
    const control = () => new RunControl();
    await trainModel(withoutRecipe, { train: REAL_TRAIN }, params(undefined, 2), {}, control(), {
      yieldToEventLoop: noWait,
    });
    await trainModel(withSeedRecipe, { train: REAL_TRAIN }, params({}, 2), {}, control(), {
      yieldToEventLoop: noWait,
    });
    // The same steps by hand: 320 training rows in the seeded order, batches of 32.
    compileForTraining(plain, params(undefined, 2));
    const gatherer = new BatchGatherer(
      {
        images: REAL_TRAIN.images.subarray(0, 320 * PIXELS_PER_IMAGE),
        labels: REAL_TRAIN.labels.subarray(0, 320),
      },
      32,
    );
    const order = new Uint32Array(320);
    for (let epoch = 0; epoch < 2; epoch++) {
      fillEpochOrder(order, 11, epoch);
      for (let start = 0; start < 320; start += 32) {
        const { xs, ys } = gatherer.gather(order.subarray(start, start + 32));
        tf.dispose(await plain.trainOnBatch(xs, ys));
        tf.dispose([xs, ys]);
      }
    }
    plain.optimizer.dispose();
    expect(weightsOf(withSeedRecipe)).toEqual(weightsOf(withoutRecipe));
    expect(weightsOf(plain)).toEqual(weightsOf(withoutRecipe));
    for (const model of [withoutRecipe, withSeedRecipe, plain]) model.dispose();
  });
});
