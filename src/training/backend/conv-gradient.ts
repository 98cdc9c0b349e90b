/**
 * A Conv2D gradient made only of forward `conv2d` calls (plus transpose/reverse), registered in
 * place of tfjs's stock one, which needs the Conv2DBackpropInput and Conv2DBackpropFilter
 * kernels.
 *
 * Why: the WASM backend has no Conv2DBackpropFilter kernel at all (stock training of any
 * convolution throws there), and on backends that have both kernels the forward conv2d kernel
 * is usually the best-optimised one (XNNPACK on WASM, im2col + matmul on WebGL/cpu), so
 * expressing the backward pass as forward convolutions is also faster. See docs/backends.md.
 *
 * Identities, stride 1, dilation 1, NHWC, forward y = conv2d(x, W) with x padded by
 * (top, bottom, left, right) — (1, 1, 1, 1) for a 3×3 `same` layer, zeros for `valid`:
 * - dx = conv2d(dy, W flipped in both spatial axes with in/out channels swapped), padded by
 *   (kh−1−top, kh−1−bottom, kw−1−left, kw−1−right): `same` again for an odd `same` layer, a
 *   full (k−1) pad for a `valid` layer.
 * - dW = one `valid`-after-padding conv2d of x with batch and channel axes swapped
 *   ([C_in, H, W, N], padded like the forward pass) against dy used as the filter
 *   ([H_out, W_out, N, C_out]); the result [C_in, kh, kw, C_out] is transposed to
 *   [kh, kw, C_in, C_out]. With one input channel on WASM, dW is an im2col matMul (below).
 * Anything else (strides ≠ 1, dilations, NCHW, dimRoundingMode, numeric or explicit padding)
 * is delegated to the stock gradient captured before the first install, and so is every
 * convolution our own WASM kernels cover (wasm-conv3x3.ts): they are tfjs's backprop kernels.
 *
 * Note: tfjs-layers only reaches the Conv2D kernel (and so this gradient) for conv layers with a
 * non-linear activation; a `linear` conv layer trains through FusedConv2D, whose own gradient
 * still calls the stock backprop kernels. All six architectures use `relu`.
 */
import * as tf from '@tensorflow/tfjs';
import { isWasmConv3x3Covering } from './wasm-conv3x3';

const CONV2D_KERNEL_NAME = 'Conv2D';

type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

/** Padding of the forward pass, in pixels, on each side of the spatial axes. */
interface SpatialPadding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * Whether one-channel filter gradients on WASM use the im2col matMul (on unless a benchmark
 * turns it off for its baseline through BackendRequest.wasmGradientRewrites).
 */
let isOneChannelIm2colEnabled = true;

/** Turns the one-channel im2col filter gradient on or off (the general path is the baseline). */
export function setOneChannelIm2col(isEnabled: boolean): void {
  isOneChannelIm2colEnabled = isEnabled;
}

/** Stock config captured before the first install, so uninstall can put it back. */
let stockConv2dGradient: tf.GradConfig | undefined;
/** The rewrite as registered, so we can tell whether it is the one currently installed. */
let rewrittenConv2dGradient: tf.GradConfig | undefined;

function isOne(value: number | [number, number] | undefined): boolean {
  if (value === undefined) return true;
  return typeof value === 'number' ? value === 1 : value[0] === 1 && value[1] === 1;
}

/**
 * The forward padding when the rewrite covers this convolution, or null to fall back.
 * `same` splits k−1 as tfjs does (the extra pixel of an even kernel goes to the bottom/right).
 */
function coveredPadding(
  attrs: tf.Conv2DAttrs,
  filterShape: readonly number[],
): SpatialPadding | null {
  const { strides, dilations, pad, dataFormat, dimRoundingMode } = attrs;
  if (!isOne(strides) || !isOne(dilations)) return null;
  if (dataFormat !== undefined && dataFormat !== 'NHWC') return null;
  if (dimRoundingMode != null) return null;
  const [kh, kw] = filterShape;
  if (pad === 'valid') return { top: 0, bottom: 0, left: 0, right: 0 };
  if (pad === 'same') {
    const top = Math.floor((kh - 1) / 2);
    const left = Math.floor((kw - 1) / 2);
    return { top, bottom: kh - 1 - top, left, right: kw - 1 - left };
  }
  return null;
}

/** Exactly `same` when the explicit pad is the symmetric odd-kernel one (the fast path). */
function toConvPad(
  padding: SpatialPadding,
  kh: number,
  kw: number,
): 'same' | 'valid' | ExplicitPadding {
  const { top, bottom, left, right } = padding;
  if (top === 0 && bottom === 0 && left === 0 && right === 0) return 'valid';
  const isOddKernel = kh % 2 === 1 && kw % 2 === 1;
  const isSymmetricSame =
    top === (kh - 1) / 2 && bottom === top && left === (kw - 1) / 2 && right === left;
  if (isOddKernel && isSymmetricSame) return 'same';
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

/**
 * dx: float32 [N, H, W, C_in] from dy [N, H_out, W_out, C_out] and W [kh, kw, C_in, C_out].
 */
function inputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D, padding: SpatialPadding): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = filter.shape;
    // [kh, kw, C_in, C_out] → flipped spatially → [kh, kw, C_out, C_in]
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
    const dyPadding: SpatialPadding = {
      top: kh - 1 - padding.top,
      bottom: kh - 1 - padding.bottom,
      left: kw - 1 - padding.left,
      right: kw - 1 - padding.right,
    };
    return tf.conv2d(dy, flipped, 1, toConvPad(dyPadding, kh, kw));
  });
}

/**
 * dW for a one-channel input (every architecture's first convolution): the kh·kw shifted
 * copies of x (im2col) come from one convolution with a one-hot filter, [N·H_out·W_out, kh·kw],
 * and dWᵀ [C_out, kh·kw] = dyᵀ · patches is one matMul. The general path below would run a
 * convolution with dy as a [H_out, W_out, N, C_out] filter over a single image, which XNNPACK
 * repacks every step and splits over only kh·kw output pixels, about twice as slow for the seed
 * CNN's conv1 (BENCHMARKS.md).
 */
function oneChannelFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: readonly number[],
  padding: SpatialPadding,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, , outChannels] = filterShape;
    const taps = kh * kw;
    const [n, outHeightPx, outWidthPx] = dy.shape;
    const rows = n * outHeightPx * outWidthPx;
    // Tap t of the one-hot filter copies input pixel (t / kw, t % kw) of each window.
    const oneHot = tf.reshape(tf.eye(taps), [kh, kw, 1, taps]) as tf.Tensor4D;
    const patches = tf.reshape(tf.conv2d(x, oneHot, 1, toConvPad(padding, kh, kw)), [rows, taps]);
    // dy as the left operand: as the right one XNNPACK would repack all of it (N·H·W × C_out).
    const dyByChannel = tf.transpose(tf.reshape(dy, [rows, outChannels])); // [C_out, rows]
    const gradientByChannel = tf.matMul(dyByChannel, patches); // [C_out, taps]
    return tf.reshape(tf.transpose(gradientByChannel), [kh, kw, 1, outChannels]);
  });
}

/**
 * dW: float32 [kh, kw, C_in, C_out] from x [N, H, W, C_in] and dy [N, H_out, W_out, C_out].
 */
function filterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: readonly number[],
  padding: SpatialPadding,
): tf.Tensor4D {
  // Measured on WASM only; other backends keep the general path.
  if (x.shape[3] === 1 && isOneChannelIm2colEnabled && tf.getBackend() === 'wasm') {
    return oneChannelFilterGradient(x, dy, filterShape, padding);
  }
  return tf.tidy(() => {
    const [kh, kw] = filterShape;
    const xByChannel = tf.transpose(x, [3, 1, 2, 0]); // [C_in, H, W, N]
    const dyAsFilter = tf.transpose(dy, [1, 2, 0, 3]); // [H_out, W_out, N, C_out]
    // An explicit pad here is never `same` in tfjs's sense (the "filter" is the size of the
    // image), so always pass the explicit pixels.
    const { top, bottom, left, right } = padding;
    const pad: 'valid' | ExplicitPadding =
      top === 0 && bottom === 0 && left === 0 && right === 0
        ? 'valid'
        : [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ];
    const byChannel = tf.conv2d(xByChannel, dyAsFilter, 1, pad); // [C_in, kh, kw, C_out]
    if (byChannel.shape[1] !== kh || byChannel.shape[2] !== kw) {
      throw new Error(
        `conv-gradient: filter gradient came out ${byChannel.shape.join('×')}, expected kernel ${kh}×${kw}`,
      );
    }
    return tf.transpose(byChannel, [1, 2, 0, 3]);
  });
}

function createRewrittenGradient(stock: tf.GradConfig): tf.GradConfig {
  return {
    kernelName: CONV2D_KERNEL_NAME,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const conv2dAttrs = attrs as unknown as tf.Conv2DAttrs;
      // Our WASM kernels implement tfjs's own backprop kernels, so the stock gradient is the
      // fast path wherever they cover the convolution (wasm-conv3x3.ts).
      if (x.dtype === 'float32' && isWasmConv3x3Covering(x.shape, filter.shape, conv2dAttrs)) {
        return stock.gradFunc(dy, saved, attrs);
      }
      const padding = coveredPadding(conv2dAttrs, filter.shape);
      if (padding === null || x.rank !== 4) return stock.gradFunc(dy, saved, attrs);
      const dy4 = dy as tf.Tensor4D;
      return {
        x: () => inputGradient(dy4, filter, padding),
        filter: () => filterGradient(x, dy4, filter.shape, padding),
      };
    },
  };
}

/** True when the conv2d-only gradient is the one tfjs will use for Conv2D. */
export function isConvGradientRewriteInstalled(): boolean {
  return (
    rewrittenConv2dGradient !== undefined &&
    tf.getGradient(CONV2D_KERNEL_NAME) === rewrittenConv2dGradient
  );
}

/**
 * Replaces tfjs's Conv2D gradient with the conv2d-only one. Idempotent. The registry is global
 * to the tfjs instance, so this affects every backend until uninstalled.
 */
export function installConvGradientRewrite(): void {
  if (isConvGradientRewriteInstalled()) return;
  const current = tf.getGradient(CONV2D_KERNEL_NAME);
  if (stockConv2dGradient === undefined) {
    if (current === undefined) {
      throw new Error('conv-gradient: tfjs has no Conv2D gradient registered to fall back on');
    }
    stockConv2dGradient = { ...current };
  }
  rewrittenConv2dGradient ??= createRewrittenGradient(stockConv2dGradient);
  tf.registerGradient(rewrittenConv2dGradient);
}

/** Puts tfjs's stock Conv2D gradient back. Idempotent; a no-op if never installed. */
export function uninstallConvGradientRewrite(): void {
  if (stockConv2dGradient === undefined || !isConvGradientRewriteInstalled()) return;
  tf.registerGradient(stockConv2dGradient);
}

/** Installs or uninstalls the rewrite. */
export function setConvGradientRewrite(isEnabled: boolean): void {
  if (isEnabled) installConvGradientRewrite();
  else uninstallConvGradientRewrite();
}
