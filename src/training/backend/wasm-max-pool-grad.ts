/**
 * A MaxPoolGrad kernel for tfjs-backend-wasm written in JavaScript over the backend's heap,
 * registered in place of the backend's own.
 *
 * Why: tfjs-backend-wasm 4.22's C++ MaxPoolGrad is slow and single-threaded even in the
 * threaded binary, a noticeable share of a training step; the same gradient as one pass over x
 * with channels innermost is several times faster (`node bench/training-profile-node.mjs`;
 * figures in BENCHMARKS.md).
 *
 * Semantics are tfjs's cpu backend's (and TensorFlow's): each window's gradient goes to its
 * maximum, of equal maxima to the first in row-major window order; NaN never wins; overlapping
 * windows add up. The replaced C++ kernel differs in two ways:
 * - it starts its search from `std::numeric_limits<float>::min()` (the smallest positive
 *   float, not the lowest), so a window whose values are all ≤ 1.2e-38 (zeros, negatives)
 *   loses its gradient altogether: wrong for pooling anything but ReLU outputs;
 * - it compares with `>=`, so equal maxima give the gradient to the last.
 * After a ReLU (every pooling layer of the six architectures) neither changes training: a
 * window of zeros has ReLU's zero gradient below it, and equal positive maxima of float32
 * convolution outputs practically never occur.
 *
 * Reads `BackendWasm` internals (`makeOutput`, `typedArrayFromHeap`), which is why the
 * tfjs packages are pinned to exact versions; any other dtype goes to the original kernel.
 */
import * as tf from '@tensorflow/tfjs';

const KERNEL_NAME = 'MaxPoolGrad';
const BACKEND_NAME = 'wasm';

/** The parts of tfjs-backend-wasm's BackendWasm this kernel uses. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

let originalKernel: tf.KernelConfig | undefined;
let installedKernel: tf.KernelConfig | undefined;

function isWasmHeapBackend(backend: unknown): backend is WasmHeapBackend {
  const b = backend as Partial<WasmHeapBackend> | null;
  return typeof b?.makeOutput === 'function' && typeof b.typedArrayFromHeap === 'function';
}

/**
 * dx float32 [N, H, W, C] (zero-filled by the caller) += each window's dy at its maximum of x
 * [N, H, W, C]; dy is [N, H_out, W_out, C].
 */
export function maxPoolGradInto(
  dx: Float32Array,
  x: Float32Array,
  dy: Float32Array,
  info: tf.backend_util.Conv2DInfo,
): void {
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels: channels,
    outHeight,
    outWidth,
    strideHeight,
    strideWidth,
    filterHeight,
    filterWidth,
    padInfo,
  } = info;
  const best = new Float32Array(channels);
  const bestIndex = new Int32Array(channels);
  for (let b = 0; b < batchSize; b++) {
    for (let yr = 0; yr < outHeight; yr++) {
      const rowStart = yr * strideHeight - padInfo.top;
      for (let yc = 0; yc < outWidth; yc++) {
        const colStart = yc * strideWidth - padInfo.left;
        best.fill(Number.NEGATIVE_INFINITY);
        bestIndex.fill(-1);
        // Strictly greater: the first of equal maxima wins, and NaN (or −∞ only) never does.
        for (let wr = 0; wr < filterHeight; wr++) {
          const xr = rowStart + wr;
          if (xr < 0 || xr >= inHeight) continue;
          for (let wc = 0; wc < filterWidth; wc++) {
            const xc = colStart + wc;
            if (xc < 0 || xc >= inWidth) continue;
            const base = ((b * inHeight + xr) * inWidth + xc) * channels;
            for (let ch = 0; ch < channels; ch++) {
              const value = x[base + ch];
              if (value > best[ch]) {
                best[ch] = value;
                bestIndex[ch] = base + ch;
              }
            }
          }
        }
        const dyBase = ((b * outHeight + yr) * outWidth + yc) * channels;
        for (let ch = 0; ch < channels; ch++) {
          const index = bestIndex[ch];
          if (index >= 0) dx[index] += dy[dyBase + ch];
        }
      }
    }
  }
}

/**
 * The same for 2×2 windows at stride 2 without padding (every pooling layer of the six
 * architectures): each input pixel is in at most one window, so every covered dx value is
 * written once (no zero fill, no accumulation). Input rows/columns no window covers (odd
 * sizes) must be zero already.
 */
export function maxPoolGrad2x2Into(
  dx: Float32Array,
  x: Float32Array,
  dy: Float32Array,
  info: tf.backend_util.Conv2DInfo,
): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const rowStride = inWidth * channels;
  for (let b = 0; b < batchSize; b++) {
    for (let yr = 0; yr < outHeight; yr++) {
      for (let yc = 0; yc < outWidth; yc++) {
        const i00 = ((b * inHeight + 2 * yr) * inWidth + 2 * yc) * channels;
        const i01 = i00 + channels;
        const i10 = i00 + rowStride;
        const i11 = i10 + channels;
        const dyBase = ((b * outHeight + yr) * outWidth + yc) * channels;
        for (let ch = 0; ch < channels; ch++) {
          const v00 = x[i00 + ch];
          const v01 = x[i01 + ch];
          const v10 = x[i10 + ch];
          const v11 = x[i11 + ch];
          // As maxPoolGradInto: the first of equal maxima wins, NaN and −∞ never do.
          let best = Number.NEGATIVE_INFINITY;
          let which = -1;
          if (v00 > best) {
            best = v00;
            which = 0;
          }
          if (v01 > best) {
            best = v01;
            which = 1;
          }
          if (v10 > best) {
            best = v10;
            which = 2;
          }
          if (v11 > best) which = 3;
          const g = dy[dyBase + ch];
          dx[i00 + ch] = which === 0 ? g : 0;
          dx[i01 + ch] = which === 1 ? g : 0;
          dx[i10 + ch] = which === 2 ? g : 0;
          dx[i11 + ch] = which === 3 ? g : 0;
        }
      }
    }
  }
}

function isNonOverlapping2x2(info: tf.backend_util.Conv2DInfo): boolean {
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  return (
    filterHeight === 2 &&
    filterWidth === 2 &&
    strideHeight === 2 &&
    strideWidth === 2 &&
    padInfo.top === 0 &&
    padInfo.left === 0 &&
    2 * info.outHeight <= info.inHeight &&
    2 * info.outWidth <= info.inWidth
  );
}

function createKernel(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const { inputs, backend } = args;
    const dy = inputs.dy as tf.TensorInfo;
    const x = inputs.input as tf.TensorInfo;
    const attrs = args.attrs as unknown as MaxPoolGradAttrs;
    if (
      !isWasmHeapBackend(backend) ||
      dy.dtype !== 'float32' ||
      x.dtype !== 'float32' ||
      x.shape.length !== 4
    ) {
      return original.kernelFunc(args);
    }
    const info = tf.backend_util.computePool2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterSize,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const dx = backend.makeOutput([...x.shape], 'float32');
    // Views are taken after makeOutput: allocating may grow the heap and detach older views.
    const dxValues = backend.typedArrayFromHeap(dx);
    const xValues = backend.typedArrayFromHeap(x);
    const dyValues = backend.typedArrayFromHeap(dy);
    if (isNonOverlapping2x2(info)) {
      const isFullyCovered =
        2 * info.outHeight === info.inHeight && 2 * info.outWidth === info.inWidth;
      if (!isFullyCovered) dxValues.fill(0);
      maxPoolGrad2x2Into(dxValues, xValues, dyValues, info);
    } else {
      dxValues.fill(0);
      maxPoolGradInto(dxValues, xValues, dyValues, info);
    }
    return dx;
  };
  return {
    kernelName: KERNEL_NAME,
    backendName: BACKEND_NAME,
    kernelFunc,
    // The original's setup binds its C++ function; kept so the fallback works whichever
    // was registered when the backend initialised.
    ...(original.setupFunc ? { setupFunc: original.setupFunc } : {}),
    ...(original.disposeFunc ? { disposeFunc: original.disposeFunc } : {}),
  };
}

/** True when the JavaScript kernel is the one tfjs runs for MaxPoolGrad on wasm. */
export function isWasmMaxPoolGradInstalled(): boolean {
  return (
    installedKernel !== undefined && tf.getKernel(KERNEL_NAME, BACKEND_NAME) === installedKernel
  );
}

/** Registers the JavaScript kernel. Idempotent; a no-op until tfjs-backend-wasm is loaded. */
export function installWasmMaxPoolGrad(): void {
  if (isWasmMaxPoolGradInstalled()) return;
  const current = tf.getKernel(KERNEL_NAME, BACKEND_NAME);
  if (current === undefined) return;
  originalKernel ??= current;
  installedKernel ??= createKernel(originalKernel);
  tf.unregisterKernel(KERNEL_NAME, BACKEND_NAME);
  tf.registerKernel(installedKernel);
}

/** Puts tfjs-backend-wasm's own kernel back. Idempotent. */
export function uninstallWasmMaxPoolGrad(): void {
  if (originalKernel === undefined || !isWasmMaxPoolGradInstalled()) return;
  tf.unregisterKernel(KERNEL_NAME, BACKEND_NAME);
  tf.registerKernel(originalKernel);
}
