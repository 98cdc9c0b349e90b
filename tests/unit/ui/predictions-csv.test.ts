import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { CLASS_NAMES, MAX_PIXEL_VALUE, NUM_CLASSES } from '../../../src/config/dataset';
import { createModel } from '../../../src/model/architectures';
import { createPredictionsCsv } from '../../../src/ui/models/predictions-csv';
import { loadRealSplit } from '../training/real-data';

const TEST_IMAGE_COUNT = 20;

/** float32 [n × 10]: a real (untrained, seeded) conv1's probabilities on real test images. */
function realProbabilities(images: Uint8Array, count: number): Float32Array {
  const model = createModel('conv1', { seed: 7 });
  try {
    const probabilities = tf.tidy(() => {
      const xs = tf
        .tensor4d(Float32Array.from(images), [count, 28, 28, 1])
        .div(MAX_PIXEL_VALUE) as tf.Tensor4D;
      return (model.predict(xs) as tf.Tensor2D).dataSync() as Float32Array;
    });
    return probabilities;
  } finally {
    model.dispose();
  }
}

/** The CSV as header + rows of fields (no quoted fields in the real header). */
function splitCsv(text: string): { header: string[]; rows: string[][] } {
  expect(text.endsWith('\n')).toBe(true);
  const [header, ...rows] = text.slice(0, -1).split('\n');
  return { header: header.split(','), rows: rows.map((line) => line.split(',')) };
}

describe('createPredictionsCsv', () => {
  let labels: Uint8Array;
  let probabilities: Float32Array;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const tensorsBefore = tf.memory().numTensors;
    const test = loadRealSplit('test', TEST_IMAGE_COUNT);
    labels = test.labels;
    probabilities = realProbabilities(test.images, TEST_IMAGE_COUNT);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  test('header names every class from the dataset config, in label order', () => {
    const { header } = splitCsv(createPredictionsCsv({ labels, probabilities }));
    expect(header).toEqual([
      'index',
      'label',
      'predicted',
      'p_T-shirt/top',
      'p_Trouser',
      'p_Pullover',
      'p_Dress',
      'p_Coat',
      'p_Sandal',
      'p_Shirt',
      'p_Sneaker',
      'p_Bag',
      'p_Ankle boot',
    ]);
    expect(header.slice(3)).toEqual(CLASS_NAMES.map((name) => `p_${name}`));
  });

  test('one row per image: its index, true label, argmax class and the exact float32 values', () => {
    const { rows } = splitCsv(createPredictionsCsv({ labels, probabilities }));
    expect(rows).toHaveLength(TEST_IMAGE_COUNT);
    rows.forEach((fields, i) => {
      expect(fields).toHaveLength(3 + NUM_CLASSES);
      expect(Number(fields[0])).toBe(i);
      expect(Number(fields[1])).toBe(labels[i]);
      const row = Array.from(probabilities.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES));
      expect(Number(fields[2])).toBe(row.indexOf(Math.max(...row)));
      // Nine significant digits bring back the very float32 the page computed.
      const parsed = fields.slice(3).map((f) => Math.fround(Number(f)));
      expect(parsed).toEqual(row);
    });
  });

  test('tiny and extreme probabilities round-trip too (exponent notation, 0 and 1)', () => {
    const values = new Float32Array(NUM_CLASSES);
    values.set([1.2345678e-30, 0, 1, 0.1, 2 ** -149, 3.4e-8]);
    const { rows } = splitCsv(
      createPredictionsCsv({ labels: Uint8Array.of(2), probabilities: values }),
    );
    expect(rows[0].slice(3, 9)).toEqual([
      '1.23456783e-30',
      '0.00000000',
      '1.00000000',
      '0.100000001',
      '1.40129846e-45',
      '3.39999993e-8',
    ]);
    expect(rows[0].slice(3).map((f) => Math.fround(Number(f)))).toEqual(Array.from(values));
    // Ties go to the lower class index, like argMax.
    expect(rows[0][2]).toBe('2');
  });

  test('class names with commas or quotes are quoted (RFC 4180)', () => {
    const classNames = CLASS_NAMES.map((name, i) => (i === 0 ? 'Top, "short"' : name));
    const text = createPredictionsCsv({
      labels: labels.subarray(0, 1),
      probabilities: probabilities.subarray(0, 10),
      classNames,
    });
    expect(text.split('\n')[0]).toBe(
      `index,label,predicted,"p_Top, ""short""",${CLASS_NAMES.slice(1)
        .map((n) => `p_${n}`)
        .join(',')}`,
    );
  });

  test('an empty test set gives the header alone', () => {
    expect(
      createPredictionsCsv({ labels: new Uint8Array(0), probabilities: new Float32Array(0) }),
    ).toBe(`index,label,predicted,${CLASS_NAMES.map((n) => `p_${n}`).join(',')}\n`);
  });

  test('refuses probabilities that do not fit the labels, or a wrong class count', () => {
    expect(() =>
      createPredictionsCsv({ labels, probabilities: probabilities.subarray(0, 15) }),
    ).toThrow(`Probabilities must be 20 × 10 = 200 values for 20 labels, got 15`);
    expect(() =>
      createPredictionsCsv({ labels, probabilities, classNames: CLASS_NAMES.slice(0, 9) }),
    ).toThrow('Expected 10 class names, got 9');
  });
});
