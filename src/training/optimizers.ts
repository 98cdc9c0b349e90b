/**
 * Optimizers the user can pick, built fresh per run from TrainingParams (an optimizer holds
 * per-weight slots, so it is never shared between models).
 */
import * as tf from '@tensorflow/tfjs';
import { SGD_MOMENTUM, type TrainingParams } from './training-protocol';

/** A new optimizer of the chosen kind at the chosen learning rate. */
export function createOptimizer(
  params: Pick<TrainingParams, 'optimizer' | 'learningRate'>,
): tf.Optimizer {
  const { optimizer, learningRate } = params;
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) {
    throw new Error(`Learning rate must be a positive number, got ${learningRate}`);
  }
  switch (optimizer) {
    case 'adam':
      return tf.train.adam(learningRate);
    case 'sgd-momentum':
      return tf.train.momentum(learningRate, SGD_MOMENTUM);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
  }
}
