/**
 * What the export knows about the six architectures without TensorFlow.js (layer shapes,
 * parameter counts, the weights' names, shapes and order, the model files' topology) is what
 * the tfjs models themselves say, and what the catalog says.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  countArchitectureParams,
  describeArchitectureLayers,
  tabWeightSpecs,
} from '../../../src/export/layer-table';
import {
  TAB_CROSS_ENTROPY_EPSILON,
  TAB_EVALUATION_BATCH_SIZE,
} from '../../../src/export/project-text';
import { APP_TFJS_VERSION, createLayersTopology } from '../../../src/export/tfjs-topology';
import { ARCHITECTURES } from '../../../src/model/architecture-catalog';
import { createModel } from '../../../src/model/architectures';
import { serializeModel } from '../../../src/training/serialized-model';
import { CROSS_ENTROPY_EPSILON, EVALUATION_BATCH_SIZE } from '../../../src/training/evaluate';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const ids = ARCHITECTURES.map((info) => info.id);

describe.each(ids)('%s', (id) => {
  test('layer names, output shapes and parameters are the tfjs model’s and the catalog’s', () => {
    const model = createModel(id);
    try {
      const table = describeArchitectureLayers(id);
      expect(table.map((layer) => layer.spec.name)).toEqual(model.layers.map((l) => l.name));
      expect(table.map((layer) => [null, ...layer.outputShape])).toEqual(
        model.layers.map((l) => l.outputShape),
      );
      expect(table.map((layer) => layer.paramCount)).toEqual(
        model.layers.map((l) => l.countParams()),
      );
      const info = ARCHITECTURES.find((a) => a.id === id)!;
      expect(countArchitectureParams(id)).toEqual({
        total: info.totalParams,
        trainable: info.trainableParams,
      });
    } finally {
      model.dispose();
    }
  });

  test('the weight list is the one tfjs writes, in its order', async () => {
    const model = createModel(id);
    try {
      const { weightSpecs } = await serializeModel(model);
      expect(tabWeightSpecs(id)).toEqual(weightSpecs);
    } finally {
      model.dispose();
    }
  });

  test('the topology equals tfjs’ own, key for key, seeded and not', () => {
    for (const seed of [undefined, 42]) {
      const model = createModel(id, seed === undefined ? {} : { seed });
      try {
        const tfjs = JSON.stringify(model.toJSON(null, false));
        expect(JSON.stringify(createLayersTopology(id, seed))).toBe(tfjs);
      } finally {
        model.dispose();
      }
    }
  });
});

test('the constants the export repeats are the app’s', () => {
  expect(APP_TFJS_VERSION).toBe(tf.version.tfjs);
  expect(TAB_CROSS_ENTROPY_EPSILON).toBe(CROSS_ENTROPY_EPSILON);
  expect(TAB_EVALUATION_BATCH_SIZE).toBe(EVALUATION_BATCH_SIZE);
});
