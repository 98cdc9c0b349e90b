import type { OptimizerId } from '../../training/training-protocol';

export const OPTIMIZER_LABELS: Record<OptimizerId, string> = {
  adam: 'Adam',
  'sgd-momentum': 'SGD with momentum 0.9',
  rmsprop: 'RMSprop',
};
