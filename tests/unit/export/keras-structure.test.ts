/**
 * The Keras export cannot run here (no TensorFlow), so its structure is checked for all six
 * architectures: the script and its helper compile, and its build_model, run against a
 * recording stand-in for `keras`, creates the tab's layers with Keras' defaults. The stand-in
 * works out each layer's output shape and parameter counts from the arguments build_model gave
 * it, by Keras' rules; those equal the tfjs models' and the catalog's, and the script's own
 * LAYERS table says the same.
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

/**
 * Imports the generated train.py with a `keras` whose constructors record their arguments,
 * runs build_model, and works out each recorded layer's output shape and parameter counts
 * from those arguments by Keras' rules (Keras' defaults for what build_model leaves out), so
 * the shapes and counts come from what the script asks Keras for, not from its LAYERS table.
 */
const INSPECT_SCRIPT = `
import json, math, types
import train

calls = []

def recorder(class_name):
    def construct(*args, **kwargs):
        call = {"class": class_name, "args": list(args), "kwargs": kwargs}
        calls.append(call)
        return call
    return construct

def pair(value):
    return list(value) if isinstance(value, (list, tuple)) else [value, value]

def window_output(size, window, stride, padding):
    """Keras' output length of a convolution or pooling window along one axis."""
    if padding == "same":
        return math.ceil(size / stride)
    if padding == "valid":
        return (size - window) // stride + 1
    raise ValueError(f"padding {padding!r}")

def output_of(call, shape):
    """(output shape, trainable parameters, all parameters) of a recorded layer on an input of
    \`shape\` (without the batch axis)."""
    kind, args, kw = call["class"], call["args"], call["kwargs"]
    def arg(index, name, default):
        return args[index] if len(args) > index else kw.get(name, default)
    if kind == "Conv2D":
        filters = arg(0, "filters", None)
        kernel, strides = pair(arg(1, "kernel_size", None)), pair(arg(2, "strides", 1))
        padding = arg(3, "padding", "valid")
        h, w, channels = shape
        out = [window_output(h, kernel[0], strides[0], padding),
               window_output(w, kernel[1], strides[1], padding), filters]
        count = kernel[0] * kernel[1] * channels * filters + (filters if kw.get("use_bias", True) else 0)
        return out, count, count
    if kind == "MaxPooling2D":
        pool = pair(arg(0, "pool_size", 2))
        strides = pair(arg(1, "strides", None) or pool)
        padding = arg(2, "padding", "valid")
        h, w, channels = shape
        return [window_output(h, pool[0], strides[0], padding),
                window_output(w, pool[1], strides[1], padding), channels], 0, 0
    if kind == "BatchNormalization":
        channels = shape[arg(0, "axis", -1)]
        scaled = int(kw.get("center", True)) + int(kw.get("scale", True))
        return shape, scaled * channels, (scaled + 2) * channels  # + moving mean and variance
    if kind == "Dropout":
        return shape, 0, 0
    if kind == "Flatten":
        return [math.prod(shape)], 0, 0
    if kind == "Dense":
        units = arg(0, "units", None)
        count = shape[-1] * units + (units if kw.get("use_bias", True) else 0)
        return shape[:-1] + [units], count, count
    raise ValueError(f"no shape rule for {kind}")

def sequential(layers, name):
    first, *rest = layers
    shape, computed = first["shape"], []
    for call in rest:
        shape, trainable, total = output_of(call, shape)
        computed.append({"name": call["kwargs"]["name"], "output_shape": shape,
                         "trainable": trainable, "params": total})
    return {"count": len(layers), "name": name, "layers": computed}

def keras_input(shape):
    calls.append({"class": "Input", "args": [list(shape)], "kwargs": {}})
    return {"shape": list(shape)}

keras = types.SimpleNamespace(
    layers=types.SimpleNamespace(**{name: recorder(name) for name in
        ["BatchNormalization", "Conv2D", "MaxPooling2D", "Dropout", "Flatten", "Dense"]}),
    Input=keras_input,
    Sequential=sequential,
)
model = train.build_model(keras)
print(json.dumps({"table": train.LAYERS, "model": model, "calls": calls}))
`;

interface ComputedLayer {
  name: string;
  output_shape: number[];
  trainable: number;
  params: number;
}

interface Inspection {
  /** train.py's LAYERS table, as generated. */
  table: { name: string; kind: string; output_shape: number[]; params: number }[];
  /** What the stand-in's Sequential worked out from the recorded calls. */
  model: { count: number; name: string; layers: ComputedLayer[] };
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

    const computed = inspection.model.layers;
    const model = createModel(id);
    try {
      expect(computed.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
      expect(computed.map((l) => [null, ...l.output_shape])).toEqual(
        model.layers.map((l) => l.outputShape),
      );
      expect(computed.map((l) => l.params)).toEqual(model.layers.map((l) => l.countParams()));
    } finally {
      model.dispose();
    }
    const info = ARCHITECTURES.find((a) => a.id === id)!;
    expect(computed.reduce((sum, l) => sum + l.params, 0)).toBe(info.totalParams);
    expect(computed.reduce((sum, l) => sum + l.trainable, 0)).toBe(info.trainableParams);
    // The table train.py documents its layers with says the same.
    expect(
      inspection.table.map(({ name, output_shape, params }) => ({ name, output_shape, params })),
    ).toEqual(computed.map(({ name, output_shape, params }) => ({ name, output_shape, params })));

    expect(inspection.calls).toEqual([
      { class: 'Input', args: [[28, 28, 1]], kwargs: {} },
      ...ARCHITECTURE_LAYERS[id].map(expectedCall),
    ]);
    expect(inspection.model).toMatchObject({
      count: ARCHITECTURE_LAYERS[id].length + 1,
      name: id.replace(/-/g, '_'),
    });
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain(
      '**Not run where it was made.**',
    );
  });
});
