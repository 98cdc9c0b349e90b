import { describe, expect, test } from 'vitest';
import { readUrlOptions, type UrlOptions } from '../../../src/app/url-options';

const DEFAULTS: UrlOptions = {
  backend: 'auto',
  allowSoftwareWebgl: false,
  preferWorker: true,
  showCharts: true,
  allowWasmThreads: true,
  wasmConvKernels: 'auto',
};

describe('readUrlOptions', () => {
  test.each(['', '?', '?unrelated=1'])('%j gives the defaults', (search) => {
    expect(readUrlOptions(search)).toEqual(DEFAULTS);
  });

  test.each(['auto', 'webgl', 'wasm', 'cpu'] as const)('?backend=%s is taken', (backend) => {
    expect(readUrlOptions(`?backend=${backend}`)).toEqual({ ...DEFAULTS, backend });
  });

  test.each(['gpu', 'WebGL', '', 'webgpu'])('?backend=%j falls back to auto', (backend) => {
    expect(readUrlOptions(`?backend=${backend}`).backend).toBe('auto');
  });

  test.each([
    ['1', true],
    ['true', true],
    ['0', false],
    ['false', false],
    ['yes', false],
  ])('?softwareWebgl=%s → %s', (value, expected) => {
    expect(readUrlOptions(`?softwareWebgl=${value}`).allowSoftwareWebgl).toBe(expected);
  });

  test.each([
    ['0', false],
    ['false', false],
    ['1', true],
    ['true', true],
  ])('?worker=%s → preferWorker %s', (value, expected) => {
    expect(readUrlOptions(`?worker=${value}`).preferWorker).toBe(expected);
  });

  test.each([
    ['0', false],
    ['false', false],
    ['1', true],
  ])('?charts=%s → showCharts %s', (value, expected) => {
    expect(readUrlOptions(`?charts=${value}`).showCharts).toBe(expected);
  });

  test.each(['off', 'simd128', 'relaxed', 'auto'] as const)(
    '?wasmConvKernels=%s is taken',
    (wasmConvKernels) => {
      expect(readUrlOptions(`?wasmConvKernels=${wasmConvKernels}`)).toEqual({
        ...DEFAULTS,
        wasmConvKernels,
      });
    },
  );

  test.each(['0', 'Relaxed', 'xnnpack', ''])('?wasmConvKernels=%j falls back to auto', (value) => {
    expect(readUrlOptions(`?wasmConvKernels=${value}`).wasmConvKernels).toBe('auto');
  });

  test('options combine, with or without the leading ?', () => {
    const expected: UrlOptions = {
      backend: 'wasm',
      allowSoftwareWebgl: true,
      preferWorker: false,
      showCharts: false,
      allowWasmThreads: false,
      wasmConvKernels: 'off',
    };
    expect(
      readUrlOptions(
        '?backend=wasm&softwareWebgl=1&worker=0&charts=0&wasmThreads=0&wasmConvKernels=off',
      ),
    ).toEqual(expected);
    expect(
      readUrlOptions(
        'wasmConvKernels=off&charts=false&wasmThreads=false&worker=0&backend=wasm&softwareWebgl=true',
      ),
    ).toEqual(expected);
  });
});
