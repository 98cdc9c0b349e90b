/**
 * The one validator of training settings: its sentences are what the form, the engine, stored
 * records and the command line show, so they are checked word for word.
 */
import { describe, expect, test } from 'vitest';
import {
  DEFAULT_TRAINING_PARAMS,
  findTrainingParamsProblems,
  RECIPE_PRESETS,
  SEED_RECIPE,
} from '../../../src/training/training-params';

describe('findTrainingParamsProblems', () => {
  test('the defaults and every preset are valid', () => {
    expect(findTrainingParamsProblems(DEFAULT_TRAINING_PARAMS)).toEqual([]);
    for (const preset of RECIPE_PRESETS) {
      expect(findTrainingParamsProblems({ ...DEFAULT_TRAINING_PARAMS, ...preset.params })).toEqual(
        [],
      );
    }
  });

  test('each bad setting gets its sentence, in the order of the form', () => {
    expect(
      findTrainingParamsProblems({
        architectureId: 'resnet',
        epochs: 1.5,
        batchSize: 0,
        learningRate: 11,
        optimizer: 'adagrad',
        validationFraction: 0.9,
        seed: -1,
      }),
    ).toEqual([
      'Unknown architecture "resnet" (one of conv1, conv2, conv2-pool2, conv3-pool2, conv3-pool2-bn, seed-cnn).',
      'The number of epochs must be a whole number from 0 to 1000.',
      'Batch size must be a whole number from 1 to 4096.',
      'Learning rate must be a number above 0 and at most 10.',
      'Unknown optimizer "adagrad" (one of adam, sgd-momentum, rmsprop).',
      'Validation must be from 0 % to under 90 % of the training file (a share from 0 to under 0.9).',
      'Seed must be a whole number from 0 to 4294967295, or empty for a random run.',
    ]);
  });

  test('each bad recipe option gets its sentence', () => {
    expect(
      findTrainingParamsProblems({
        ...DEFAULT_TRAINING_PARAMS,
        recipe: {
          lrSchedule: 'exponential',
          labelSmoothing: 0.3,
          augmentFlip: 'yes',
          augmentShiftPx: 5,
          testTimeFlip: 1,
          keepBestWeights: null,
          earlyStoppingPatience: -2,
          weightDecay: 0.5,
        },
      }),
    ).toEqual([
      'Unknown learning-rate schedule "exponential" (one of constant, step, cosine, one-cycle).',
      'Label smoothing must be a number from 0 to 0.2.',
      'Random flip must be on or off.',
      'Random shift must be a whole number of pixels from 0 to 4.',
      'Test-time flip averaging must be on or off.',
      'Keeping the best weights must be on or off.',
      'Early-stopping patience must be a whole number of epochs from 0 (off) to 1000.',
      'Weight decay must be a number from 0 to 0.1.',
    ]);
    expect(findTrainingParamsProblems({ ...DEFAULT_TRAINING_PARAMS, recipe: SEED_RECIPE })).toEqual(
      [],
    );
  });

  test('a record saved before recipes existed (no recipe field) is valid', () => {
    const { ...withoutRecipe } = DEFAULT_TRAINING_PARAMS;
    expect('recipe' in withoutRecipe).toBe(false);
    expect(findTrainingParamsProblems(withoutRecipe)).toEqual([]);
  });
});
