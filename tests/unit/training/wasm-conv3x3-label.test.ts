/**
 * The backend line's words for our 3×3 convolution kernels: which flavour, how many threads,
 * and what still runs on tfjs's XNNPACK (the first layer's forward pass), checked against the
 * coverage rule that decides it and the six architectures' first layers.
 */
import { describe, expect, test } from 'vitest';
import { ARCHITECTURE_LAYERS } from '../../../src/model/architecture-layers';
import { isForwardOurs } from '../../../src/training/backend/conv3x3-geometry';
import {
  describeConvKernels,
  XNNPACK_PART,
} from '../../../src/training/backend/wasm-conv3x3-label';
import { describeBackend } from '../../../src/ui/training/training-progress';
import { convShape, LAYER_SHAPES } from './conv3x3-support';

describe('describeConvKernels', () => {
  test('names the flavour and threads, and that the first layer’s forward pass runs on XNNPACK', () => {
    expect(describeConvKernels({ flavour: 'relaxed', threads: 2 })).toBe(
      "own relaxed-SIMD kernels, 2 threads (first layer's forward on tfjs's XNNPACK)",
    );
    expect(describeConvKernels({ flavour: 'simd128', threads: 1 })).toBe(
      "own SIMD128 kernels, 1 thread (first layer's forward on tfjs's XNNPACK)",
    );
    expect(describeConvKernels(undefined)).toBe("tfjs's own (XNNPACK)");
  });

  test('the page’s backend line carries it', () => {
    const line = describeBackend({
      name: 'wasm',
      path: 'worker',
      isSoftwareRenderer: false,
      wasmThreads: 1,
      wasmSimd: true,
      convGradientRewrite: true,
      wasmGradientRewrites: true,
      wasmConvKernels: { flavour: 'relaxed', threads: 2 },
      reason: 'requested',
      tfjsVersion: '4.22.0',
    });
    expect(line).toBe(
      "WASM in a Web Worker · 1 thread, SIMD · convolutions: own relaxed-SIMD kernels, 2 threads (first layer's forward on tfjs's XNNPACK)",
    );
  });

  test('what it says stays with XNNPACK is what the coverage rule leaves there', () => {
    // Exactly the one-input-channel layers keep tfjs's forward pass…
    for (const shape of LAYER_SHAPES) {
      expect(isForwardOurs(shape), `${shape.inChannels} → ${shape.outChannels}`).toBe(
        shape.inChannels > 1,
      );
    }
    expect(isForwardOurs(convShape(64, 28, 28, 1, 64, 'same'))).toBe(false);
    // …and in every architecture the first conv layer reads the one-channel image, the others
    // read a conv layer's many channels.
    for (const [id, layers] of Object.entries(ARCHITECTURE_LAYERS)) {
      const convs = layers.filter((layer) => layer.kind === 'conv');
      expect(convs[0]?.name, id).toBe('conv1');
      for (const later of convs.slice(1)) expect(later.name, id).not.toBe('conv1');
    }
    expect(XNNPACK_PART).toContain("first layer's forward");
  });
});
