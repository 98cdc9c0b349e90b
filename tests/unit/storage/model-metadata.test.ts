import { describe, expect, it } from 'vitest';
import { CLASS_NAMES } from '../../../src/config/dataset';
import {
  createModelMetadata,
  describeUnreadable,
  isModelMetadata,
  type ModelMetadata,
} from '../../../src/storage/model-metadata';
import { DEFAULT_TRAINING_PARAMS } from '../../../src/training/training-params';

function validMetadata(): ModelMetadata {
  return createModelMetadata({
    id: 'a1',
    name: 'Seed CNN, 10 epochs',
    trainingParams: { ...DEFAULT_TRAINING_PARAMS, seed: 7 },
    epochsCompleted: 10,
    trainingAccuracy: 0.93,
    validationAccuracy: 0.91,
    testAccuracy: null,
    tfjsVersion: '4.22.0',
    createdAt: new Date('2025-01-02T03:04:05.000Z'),
    sizeBytes: 1234,
  });
}

describe('model metadata', () => {
  it('accepts the current schema, also after a JSON round trip', () => {
    const metadata = validMetadata();
    expect(metadata).toMatchObject({
      schemaVersion: 1,
      architectureId: 'seed-cnn',
      classNames: [...CLASS_NAMES],
      inputShape: [28, 28, 1],
      normalization: 'divide-by-255',
      createdAt: '2025-01-02T03:04:05.000Z',
    });
    expect(isModelMetadata(metadata)).toBe(true);
    expect(isModelMetadata(JSON.parse(JSON.stringify(metadata)))).toBe(true);
    expect(describeUnreadable(metadata)).toBe('readable');
  });

  it('rejects other schema versions with a reason that names them', () => {
    for (const schemaVersion of [0, 2, '1']) {
      const value = { ...validMetadata(), schemaVersion };
      expect(isModelMetadata(value)).toBe(false);
    }
    expect(describeUnreadable({ ...validMetadata(), schemaVersion: 2 })).toMatch(/version 2/);
    expect(describeUnreadable({ ...validMetadata(), schemaVersion: undefined })).toMatch(
      /no schema version/,
    );
  });

  it('rejects a record with any field missing', () => {
    const metadata = validMetadata();
    for (const field of Object.keys(metadata)) {
      const value: Record<string, unknown> = { ...metadata };
      delete value[field];
      expect(isModelMetadata(value), `without ${field}`).toBe(false);
      expect(describeUnreadable(value), `without ${field}`).not.toBe('readable');
    }
  });

  it('rejects wrong values in nested and numeric fields', () => {
    const metadata = validMetadata();
    const bad: Array<[string, unknown]> = [
      ['architectureId', 'resnet'],
      ['classNames', CLASS_NAMES.slice(0, 9)],
      ['inputShape', [32, 32, 3]],
      ['normalization', 'standardize'],
      ['trainingParams', { ...metadata.trainingParams, optimizer: 'lamb' }],
      ['trainingParams', { ...metadata.trainingParams, architectureId: 'conv1' }],
      ['testAccuracy', 1.5],
      ['validationAccuracy', Number.NaN],
      ['createdAt', 'yesterday'],
      ['sizeBytes', -1],
    ];
    for (const [field, value] of bad) {
      expect(isModelMetadata({ ...metadata, [field]: value }), field).toBe(false);
    }
    expect(isModelMetadata(null)).toBe(false);
    expect(describeUnreadable('text')).toMatch(/not an object/);
  });

  it('refuses to create metadata it could not read back', () => {
    expect(() =>
      createModelMetadata({
        ...validMetadata(),
        trainingParams: { ...DEFAULT_TRAINING_PARAMS, epochs: -1 },
        createdAt: new Date(),
      }),
    ).toThrow(/epochs/);
  });
});
