/**
 * Optimizers the user can pick, built fresh per run (an optimizer holds per-weight slots, so
 * it is never shared between models). The ids and labels live in training-params.ts; this
 * table gives each id its tfjs optimizer, and its type makes a missing id a compile error.
 */
import * as tf from '@tensorflow/tfjs';
import {
  findLearningRateProblem,
  SGD_MOMENTUM,
  type OptimizerId,
  type TrainingParams,
} from './training-params';

const OPTIMIZER_FACTORIES: Readonly<Record<OptimizerId, (learningRate: number) => tf.Optimizer>> = {
  adam: (learningRate) => tf.train.adam(learningRate),
  'sgd-momentum': (learningRate) => tf.train.momentum(learningRate, SGD_MOMENTUM),
  rmsprop: (learningRate) => tf.train.rmsprop(learningRate),
};

/** A new optimizer of the chosen kind at the chosen learning rate. */
export function createOptimizer(
  params: Pick<TrainingParams, 'optimizer' | 'learningRate'>,
): tf.Optimizer {
  const problem = findLearningRateProblem(params.learningRate);
  if (problem) throw new Error(problem);
  return OPTIMIZER_FACTORIES[params.optimizer](params.learningRate);
}
