/**
 * The current model's answers on the test set as a CSV a person (or a notebook) can check:
 * `index,label,predicted,p_T-shirt/top,…,p_Ankle boot`, one row per test image. Pure: no tfjs,
 * no DOM, so Node tests build it from plain arrays.
 */
import { CLASS_NAMES, NUM_CLASSES } from '../../config/dataset';

/**
 * Significant digits of each probability. Nine round-trip any float32 exactly (2^24 ≈ 1.7e7
 * needs at most 9), so whoever reads the file gets the page's value bit for bit.
 */
export const PROBABILITY_SIGNIFICANT_DIGITS = 9;

export interface PredictionsCsvInput {
  /** uint8 [count], true class index 0–9 of each test image. */
  labels: Uint8Array;
  /** float32 [count × 10], class probabilities per image (rows sum to 1). */
  probabilities: Float32Array;
  /** Column names after `p_`, in label order; default CLASS_NAMES. */
  classNames?: readonly string[];
}

/** RFC 4180: a field with a comma, quote or line break is quoted and its quotes doubled. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Index of the largest value in row `row` of a [n × width] array; the first one on ties. */
function argmaxRow(values: Float32Array, row: number, width: number): number {
  let best = 0;
  for (let c = 1; c < width; c++) {
    if (values[row * width + c] > values[row * width + best]) best = c;
  }
  return best;
}

/**
 * The CSV text, header first, lines ended by `\n`. `index` is the 0-based position of the
 * image in the loaded test set (its data row in the CSV, or its item in the IDX file);
 * `label` and `predicted` are class indices 0–9, the probabilities are plain decimals or
 * exponent notation (`1.23456789e-7`), both of which every CSV reader parses as numbers.
 */
export function createPredictionsCsv({
  labels,
  probabilities,
  classNames = CLASS_NAMES,
}: PredictionsCsvInput): string {
  const classCount = classNames.length;
  if (classCount !== NUM_CLASSES) {
    throw new Error(`Expected ${NUM_CLASSES} class names, got ${classCount}`);
  }
  const count = labels.length;
  if (probabilities.length !== count * classCount) {
    throw new Error(
      `Probabilities must be ${count} × ${classCount} = ${count * classCount} values for ` +
        `${count} labels, got ${probabilities.length}`,
    );
  }
  const header = ['index', 'label', 'predicted', ...classNames.map((name) => `p_${name}`)];
  const lines = [header.map(csvField).join(',')];
  for (let i = 0; i < count; i++) {
    const fields = [String(i), String(labels[i]), String(argmaxRow(probabilities, i, classCount))];
    for (let c = 0; c < classCount; c++) {
      fields.push(probabilities[i * classCount + c].toPrecision(PROBABILITY_SIGNIFICANT_DIGITS));
    }
    lines.push(fields.join(','));
  }
  return lines.join('\n') + '\n';
}
