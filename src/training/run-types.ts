/**
 * What a training run is made of and reports, as plain data: the same in a module worker, on
 * the main thread, in storage records and in the UI. Only numbers, strings, typed arrays and
 * ArrayBuffers appear here, never tensors, and nothing here loads TensorFlow.js.
 */
import type * as tf from '@tensorflow/tfjs';

export type BackendName = 'webgl' | 'wasm' | 'cpu';
/** `auto` picks WebGL when hardware-accelerated, else WASM, else cpu. */
export type BackendPreference = 'auto' | BackendName;

/** How the engine should choose its backend. */
export interface BackendRequest {
  preference: BackendPreference;
  /** Let tfjs use a software WebGL renderer such as SwiftShader (SOFTWARE_WEBGL_ENABLED). */
  allowSoftwareWebgl: boolean;
  /**
   * Override the per-backend default for the conv2d-only Conv2D gradient (benchmarks flip it).
   * Ignored on WASM, which cannot train convolutions without it.
   */
  convGradientRewrite?: boolean;
  /**
   * Let the WASM backend use threads when the page is cross-origin isolated (the threaded
   * binary, one thread per core; falls back to single-thread SIMD if its init fails or hangs).
   * The app turns it on unless `?wasmThreads=0` (BENCHMARKS.md has the speed-up).
   */
  allowWasmThreads?: boolean;
  /**
   * The training speed-ups for tfjs-backend-wasm's slow paths: BatchMatMul and bias (Add)
   * gradients without transposed matMuls or transposing sums (wasm-gradients.ts), a JavaScript
   * MaxPoolGrad kernel (wasm-max-pool-grad.ts) and the one-channel im2col filter gradient
   * (conv-gradient.ts). On unless false; the gradients defer to the stock ones off WASM.
   * Benchmarks turn them off for the side-by-side baseline.
   */
  wasmGradientRewrites?: boolean;
  /**
   * Which 3×3 convolution kernels train on WASM (backend/wasm-conv3x3.ts): `auto` (the
   * default) runs our own with relaxed SIMD where the runtime validates it, SIMD128 otherwise,
   * and tfjs's own (XNNPACK) where WASM SIMD is missing; `relaxed` and `simd128` ask for one
   * flavour (falling back the same way); `off` keeps tfjs's own. Benchmarks set it to compare.
   */
  wasmConvKernels?: WasmConvKernelChoice;
}

export type WasmConvKernelChoice = 'auto' | 'relaxed' | 'simd128' | 'off';

/** Our 3×3 convolution kernels as they run: SIMD flavour and threads. */
export interface WasmConvKernelInfo {
  /** `relaxed`: relaxed SIMD's fused multiply-add; `simd128`: plain SIMD multiply and add. */
  flavour: 'relaxed' | 'simd128';
  threads: number;
}

/** Which backend actually runs, and where. */
export interface BackendInfo {
  name: BackendName;
  /** Worker (module worker, OffscreenCanvas for WebGL) or main thread (fallback). */
  path: 'worker' | 'main-thread';
  /** WebGL renderer string (UNMASKED_RENDERER_WEBGL where allowed). */
  renderer?: string;
  isSoftwareRenderer: boolean;
  /** WASM threads in use (1 without cross-origin isolation). */
  wasmThreads?: number;
  wasmSimd?: boolean;
  /** Whether the conv2d-only Conv2D gradient replaces tfjs's stock one on this backend. */
  convGradientRewrite: boolean;
  /** Whether the WASM training speed-ups are on (BackendRequest.wasmGradientRewrites). */
  wasmGradientRewrites: boolean;
  /** Our 3×3 convolution kernels on WASM; absent when tfjs's own convolutions run. */
  wasmConvKernels?: WasmConvKernelInfo;
  /** Why `auto` chose this backend, or why a requested one was not available. */
  reason: string;
  /** `tf.version.tfjs` of the engine, recorded in the metadata of the models it trains. */
  tfjsVersion: string;
}

/** Reported after every batch (the UI throttles its redraws). */
export interface BatchMetrics {
  /** 0-based epoch index. */
  epoch: number;
  /** 0-based batch index within the epoch. */
  batch: number;
  batchesPerEpoch: number;
  loss: number;
  accuracy: number;
  /** Training samples processed since the run (or resume) started. */
  samplesSeen: number;
  /** Throughput since the run (or resume) started, samples per second (pauses excluded). */
  samplesPerSec: number;
  /** Training time of the run so far in milliseconds, pauses excluded, before a resume included. */
  elapsedMs: number;
}

/** Reported at the end of every epoch, after validation. */
export interface EpochMetrics {
  epoch: number;
  loss: number;
  accuracy: number;
  /** NaN when the validation fraction is 0. */
  valLoss: number;
  valAccuracy: number;
  /** Training time of the run up to this epoch's end, ms (as BatchMetrics.elapsedMs). */
  elapsedMs: number;
  /** The learning rate of the epoch's first step (absent in histories saved without it). */
  learningRate?: number;
  /** Test-set loss and accuracy after this epoch, when the run monitors the test set. */
  testLoss?: number;
  testAccuracy?: number;
}

export interface MisclassifiedExample {
  /** Index into the test split. */
  index: number;
  trueLabel: number;
  predictedLabel: number;
  /** Probability the model gave its (wrong) prediction. */
  confidence: number;
}

/** Test-set evaluation. */
export interface EvaluationResult {
  loss: number;
  accuracy: number;
  count: number;
  /** confusion[true][predicted], counts, 10 × 10. */
  confusion: number[][];
  /** Accuracy per true class, 10 values in [0, 1] (NaN for a class absent from the split). */
  perClassAccuracy: number[];
  /** Up to MAX_MISCLASSIFIED_SHOWN wrong predictions, most confident first. */
  misclassified: MisclassifiedExample[];
  /**
   * With test-time flip averaging: loss and accuracy of the mean of the predictions for each
   * image and its left–right mirror (everything above is of the plain predictions).
   */
  flipAveraged?: { loss: number; accuracy: number };
}

export const MAX_MISCLASSIFIED_SHOWN = 48;

/** How a run ended. */
export type RunEnd = 'completed' | 'stopped' | 'failed';

/** Arrays for one split as handed to the engine. */
export interface SplitArrays {
  /** uint8 [n × 784], 0–255. */
  images: Uint8Array;
  /** uint8 [n], 0–9. */
  labels: Uint8Array;
}

/** A model's topology and weights as one cloneable object (tfjs ModelArtifacts, plain parts). */
export interface SerializedModel {
  /** Keras-style model topology JSON (tfjs `modelTopology`). */
  modelTopology: object;
  weightSpecs: tf.io.WeightsManifestEntry[];
  /** All weights concatenated in weightSpecs order. */
  weightData: ArrayBuffer;
}
