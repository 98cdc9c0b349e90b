/**
 * The Keras export cannot run here (no TensorFlow), so its structure is checked for all six
 * architectures: the script and its helper compile; its plain layer table has the tab's layer
 * names, output shapes and parameter counts (those of the tfjs models and the catalog); and its
 * build_model, run against a recording stand-in for `keras`, creates exactly those layers with
 * Keras' defaults.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARCHITECTURES } from '../../../src/model/architecture-catalog';
import { createModel } from '../../../src/model/architectures';
import { ARCHITECTURE_LAYERS, type LayerSpec } from '../../../src/model/architecture-layers';
import { DEFAULT_TRAINING_PARAMS } from '../../../src/training/training-params';
import { writeExportedProject } from '../../support/exported-project';
import { findPython, runPython } from '../../support/python';

/** Imports the generated train.py with a `keras` whose constructors record their arguments. */
const INSPECT_SCRIPT = `
import json, types
import train

calls = []

def recorder(class_name):
    def construct(*args, **kwargs):
        calls.append({"class": class_name, "args": list(args), "kwargs": kwargs})
        return class_name
    return construct

names = ["BatchNormalization", "Conv2D", "MaxPooling2D", "Dropout", "Flatten", "Dense"]
keras = types.SimpleNamespace(
    layers=types.SimpleNamespace(**{name: recorder(name) for name in names}),
    Input=lambda shape: calls.append({"class": "Input", "args": [list(shape)], "kwargs": {}}),
    Sequential=lambda layers, name: {"count": len(layers), "name": name},
)
model = train.build_model(keras)
print(json.dumps({"layers": train.LAYERS, "model": model, "calls": calls}))
`;

interface Inspection {
  layers: { name: string; kind: string; output_shape: number[]; params: number }[];
  model: { count: number; name: string };
  calls: { class: string; args: unknown[]; kwargs: Record<string, unknown> }[];
}

/** The Keras constructor call build_model should make for `spec`. */
function expectedCall(spec: LayerSpec): Inspection['calls'][number] {
  const { name } = spec;
  switch (spec.kind) {
    case 'batchnorm':
      return {
        class: 'BatchNormalization',
        args: [],
        kwargs: { momentum: 0.99, epsilon: 0.001, name },
      };
    case 'conv':
      return {
        class: 'Conv2D',
        args: [spec.filters, 3],
        kwargs: {
          padding: spec.padding,
          activation: 'relu',
          kernel_initializer: 'glorot_uniform',
          bias_initializer: 'zeros',
          name,
        },
      };
    case 'maxpool':
      return { class: 'MaxPooling2D', args: [spec.sizePx], kwargs: { name } };
    case 'dropout':
      return { class: 'Dropout', args: [spec.rate], kwargs: { name } };
    case 'flatten':
      return { class: 'Flatten', args: [], kwargs: { name } };
    case 'dense':
      return {
        class: 'Dense',
        args: [spec.units],
        kwargs: {
          activation: spec.activation,
          kernel_initializer: 'glorot_uniform',
          bias_initializer: 'zeros',
          name,
        },
      };
  }
}

let python: string;
const dirs: string[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
  python = findPython(['numpy']);
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.each(ARCHITECTURES.map((info) => info.id))('the Keras export of %s', (id) => {
  test('compiles, and its layers, shapes and counts are the tab’s', async () => {
    const dir = writeExportedProject({
      params: { ...DEFAULT_TRAINING_PARAMS, architectureId: id },
      framework: 'keras',
    });
    dirs.push(dir);
    const compiled = await runPython(python, ['-m', 'py_compile', 'train.py', 'tab_compat.py'], {
      cwd: dir,
    });
    expect(compiled.stderr).toBe('');
    expect(compiled.status).toBe(0);

    const run = await runPython(python, ['-c', INSPECT_SCRIPT], { cwd: dir });
    expect(run.stderr).toBe('');
    const inspection = JSON.parse(run.stdout) as Inspection;

    const model = createModel(id);
    try {
      expect(inspection.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
      expect(inspection.layers.map((l) => [null, ...l.output_shape])).toEqual(
        model.layers.map((l) => l.outputShape),
      );
      expect(inspection.layers.map((l) => l.params)).toEqual(
        model.layers.map((l) => l.countParams()),
      );
    } finally {
      model.dispose();
    }
    const info = ARCHITECTURES.find((a) => a.id === id)!;
    expect(inspection.layers.reduce((sum, l) => sum + l.params, 0)).toBe(info.totalParams);

    expect(inspection.calls).toEqual([
      { class: 'Input', args: [[28, 28, 1]], kwargs: {} },
      ...ARCHITECTURE_LAYERS[id].map(expectedCall),
    ]);
    expect(inspection.model).toEqual({
      count: ARCHITECTURE_LAYERS[id].length + 1,
      name: id.replace(/-/g, '_'),
    });
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain(
      '**Not run where it was made.**',
    );
  });
});
