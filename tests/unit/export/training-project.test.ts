/**
 * The exported project as files: what it holds, that the run's settings are its defaults and
 * appear in its README, that a model to start from travels with it, and the .zip the tab
 * downloads.
 */
import { unzipSync, strFromU8 } from 'fflate';
import { describe, expect, test } from 'vitest';
import { zipProject } from '../../../src/export/project-zip';
import { fillTemplate, toPythonLiteral } from '../../../src/export/python-source';
import {
  createTrainingProject,
  createTrainingProjectBundle,
} from '../../../src/export/training-project';
import { createModelMetadata } from '../../../src/storage/model-metadata';
import { getRecipePreset, type TrainingParams } from '../../../src/training/training-params';

const BEST: TrainingParams = {
  ...getRecipePreset('best').params,
  architectureId: 'conv3-pool2-bn',
  validationFraction: 0.2,
  seed: 12,
};

const text = (content: string | Uint8Array) =>
  typeof content === 'string' ? content : strFromU8(content);

function metadataFor(params: TrainingParams) {
  return createModelMetadata({
    id: 'm-1',
    name: 'shirt model',
    trainingParams: params,
    epochsCompleted: 60,
    trainingAccuracy: 0.95,
    validationAccuracy: 0.93,
    testAccuracy: 0.925,
    tfjsVersion: '4.22.0',
    createdAt: new Date('2026-11-29T10:00:00Z'),
    sizeBytes: 12,
  });
}

describe('an exported project', () => {
  test('holds the script, its helper, the model format and a README with the run’s settings', () => {
    const files = createTrainingProject({ params: BEST, framework: 'pytorch' });
    expect(files.map((f) => f.path)).toEqual([
      'train.py',
      'tab_compat.py',
      'tab-model-format.json',
      'README.md',
    ]);
    const train = text(files[0].content);
    expect(train).toContain('ARCHITECTURE_ID = "conv3-pool2-bn"');
    expect(train).toContain('class Conv3Pool2Bn(nn.Module):');
    expect(train).toContain(
      `TRAINING_PARAMS = ${toPythonLiteral({ epochs: 60, batchSize: 128, learningRate: 0.002, optimizer: 'adam', validationFraction: 0.2, seed: 12, recipe: BEST.recipe })}`,
    );
    expect(train).not.toMatch(/<<[a-z-]+>>/);
    expect(text(files[1].content)).toContain('TFJS_VERSION = "4.22.0"');
    const format = JSON.parse(text(files[2].content));
    expect(format.modelTopology.config.name).toBe('conv3_pool2_bn');
    expect(format.weightSpecs).toHaveLength(20);
    const readme = text(files[3].content);
    expect(readme).toContain(
      '| Learning-rate schedule | One-cycle (warm-up, then anneal) | `--lr-schedule` |',
    );
    expect(readme).toContain('| Seed | 12 | `--seed` |');
    expect(readme).toContain('`conv3-pool2-bn.json`, `conv3-pool2-bn.weights.bin`');
    expect(readme).not.toMatch(/<<[a-z-]+>>|ARCHITECTURE\./);
  });

  test('the Keras README takes the .keras file and the .h5 back to the tab through the converter', () => {
    const files = createTrainingProject({ params: BEST, framework: 'keras' });
    const readme = text(files.find((f) => f.path === 'README.md')!.content);
    const commands = readme.match(/^ {2}tensorflowjs_converter .*$/gm);
    expect(commands).toEqual([
      '  tensorflowjs_converter --input_format keras_keras output/keras/conv3-pool2-bn.keras output/tfjs',
      '  tensorflowjs_converter --input_format keras output/conv3-pool2-bn.h5 output/tfjs',
    ]);
    // The converter unpacks a .keras archive beside it: the README gives it a folder of its own.
    expect(readme).toContain(
      'mkdir -p output/keras && cp output/conv3-pool2-bn.keras output/keras/',
    );
    // Both files are the ones the script saves.
    const train = text(files.find((f) => f.path === 'train.py')!.content);
    expect(train).toContain('model.save(os.path.join(out, f"{ARCHITECTURE_ID}.keras"))');
    expect(train).toContain('model.save(os.path.join(out, f"{ARCHITECTURE_ID}.h5"))');
  });

  test('ships a model to start from and points the run at it', () => {
    const model = {
      modelTopology: { class_name: 'Sequential' },
      weightSpecs: [],
      weightData: new Uint8Array([1, 2, 3, 4]).buffer,
    };
    const files = createTrainingProject({
      params: BEST,
      framework: 'keras',
      initialModel: { model, metadata: metadataFor(BEST), baseName: 'shirt model' },
    });
    const paths = files.map((f) => f.path);
    expect(paths.slice(4)).toEqual([
      'tab-model/shirt-model.json',
      'tab-model/shirt-model.weights.bin',
      'tab-model/shirt-model.metadata.json',
    ]);
    expect(Array.from(files[5].content as Uint8Array)).toEqual([1, 2, 3, 4]);
    const json = JSON.parse(text(files[4].content));
    expect(json.weightsManifest[0].paths).toEqual(['./shirt-model.weights.bin']);
    expect(text(files[0].content)).toContain(
      'INIT_FROM = os.path.join(HERE, "tab-model", "shirt-model.json")',
    );
  });

  test('refuses settings the tab refuses, and a model of another architecture', () => {
    expect(() =>
      createTrainingProject({ params: { ...BEST, batchSize: 0 }, framework: 'pytorch' }),
    ).toThrow('Batch size must be a whole number from 1 to 4096.');
    const model = { modelTopology: {}, weightSpecs: [], weightData: new ArrayBuffer(0) };
    const seedParams: TrainingParams = { ...BEST, architectureId: 'seed-cnn' };
    expect(() =>
      createTrainingProject({
        params: BEST,
        framework: 'pytorch',
        initialModel: { model, metadata: metadataFor(seedParams), baseName: 'x' },
      }),
    ).toThrow('The model to start from is a seed-cnn model; the run trains conv3-pool2-bn.');
  });

  test('the tab’s download is a .zip of both projects in one folder', () => {
    const zip = zipProject('run-3-training-project', createTrainingProjectBundle({ params: BEST }));
    const entries = unzipSync(zip);
    expect(Object.keys(entries).sort()).toEqual(
      [
        'README.md',
        ...['pytorch', 'keras'].flatMap((framework) =>
          ['README.md', 'tab-model-format.json', 'tab_compat.py', 'train.py'].map(
            (file) => `${framework}/${file}`,
          ),
        ),
      ]
        .map((path) => `run-3-training-project/${path}`)
        .sort(),
    );
    expect(strFromU8(entries['run-3-training-project/keras/README.md'])).toContain(
      '**Not run where it was made.**',
    );
  });
});

describe('templates', () => {
  test('every marker is filled and every part is used', () => {
    const template = 'a\n# <<one>>\n<!-- <<two>> -->\nb';
    expect(fillTemplate(template, { one: 'x = 1', two: 'text' })).toBe('a\nx = 1\ntext\nb');
    expect(() => fillTemplate(template, { one: '' })).toThrow('no content for <<two>>');
    expect(() => fillTemplate(template, { one: '', two: '', three: '' })).toThrow(
      'no marker for three',
    );
  });
});
