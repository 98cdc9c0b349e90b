import { describe, expect, test } from 'vitest';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatMetric,
  formatPercent,
} from '../../../src/ui/format';

describe('formatCount', () => {
  test.each([
    [60_000, '60,000'],
    [10_000, '10,000'],
    [999, '999'],
    [0, '0'],
    [1_234_567, '1,234,567'],
  ])('%i → %s', (n, text) => {
    expect(formatCount(n)).toBe(text);
  });

  test('non-finite counts print a dash like the other formatters', () => {
    expect(formatCount(NaN)).toBe('–');
  });
});

describe('formatPercent', () => {
  test.each([
    [0.93121, '93.12%'],
    [1, '100.00%'],
    [0, '0.00%'],
    [0.1, '10.00%'],
  ])('%f → %s', (fraction, text) => {
    expect(formatPercent(fraction)).toBe(text);
  });

  test('digits sets the decimals', () => {
    expect(formatPercent(0.93121, 1)).toBe('93.1%');
    expect(formatPercent(0.93121, 0)).toBe('93%');
  });

  test.each([NaN, Infinity, -Infinity])('%f → –', (fraction) => {
    expect(formatPercent(fraction)).toBe('–');
  });
});

describe('formatBytes', () => {
  test.each([
    [0, '0 B'],
    [999, '999 B'],
    [1_000, '1.0 kB'],
    [1_536, '1.5 kB'],
    [133_000_000, '133.0 MB'],
    [30_730_000, '30.7 MB'],
    [2_500_000_000, '2.50 GB'],
  ])('%i → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  test('rounding up to the next unit switches the unit', () => {
    expect(formatBytes(999_950)).toBe('1.0 MB');
  });

  test('non-finite sizes print a dash', () => {
    expect(formatBytes(NaN)).toBe('–');
  });
});

describe('formatDuration', () => {
  test.each([
    [0, '0.0 s'],
    [12_345, '12.3 s'],
    [59_900, '59.9 s'],
    [60_000, '1 min 00 s'],
    [185_000, '3 min 05 s'],
    [3_599_000, '59 min 59 s'],
    [3_599_999, '1 h 00 min'],
    [3_600_000, '1 h 00 min'],
    [3_720_000, '1 h 02 min'],
    [36_000_000, '10 h 00 min'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  test.each([NaN, Infinity, -1])('%f ms → –', (ms) => {
    expect(formatDuration(ms)).toBe('–');
  });

  test('just under a minute that rounds up is shown as a minute', () => {
    expect(formatDuration(59_960)).toBe('1 min 00 s');
  });
});

describe('formatMetric', () => {
  test.each([
    [0.123456, '0.1235'],
    [2.302585, '2.3026'],
    [0, '0.0000'],
  ])('%f → %s', (value, text) => {
    expect(formatMetric(value)).toBe(text);
  });

  test.each([NaN, Infinity])('%f → –', (value) => {
    expect(formatMetric(value)).toBe('–');
  });
});
