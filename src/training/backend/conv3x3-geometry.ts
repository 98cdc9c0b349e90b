/**
 * Which convolutions our 3×3 kernels cover, their geometry, and which algorithm runs each
 * pass. Plain functions of shapes and attributes, so the choice is testable without WASM.
 */

/** A 3×3, stride-1, NHWC float32 convolution as the kernels see it. */
export interface ConvShape {
  batch: number;
  inHeightPx: number;
  inWidthPx: number;
  inChannels: number;
  outHeightPx: number;
  outWidthPx: number;
  outChannels: number;
  /** Pixels of zero padding above and left of the input (below/right follow from the sizes). */
  padTopPx: number;
  padLeftPx: number;
}

/**
 * How a pass is computed: the direct kernel; the kernel for one output channel (forward-type
 * passes only); Winograd F(2×2, 3×3) or F(4×4, 3×3) (for the filter gradient, its dual).
 */
export const CONV_ALGORITHMS = ['direct', 'single-output', 'winograd2', 'winograd4'] as const;
export type ConvAlgorithm = (typeof CONV_ALGORITHMS)[number];

/** The attributes of tfjs's Conv2D-family kernels that decide coverage. */
export interface ConvAttrs {
  strides?: number | [number, number];
  dilations?: number | [number, number];
  pad?: unknown;
  dataFormat?: string;
  dimRoundingMode?: string | null;
}

const KERNEL_SIZE_PX = 3;

function isOne(value: number | [number, number] | undefined): boolean {
  if (value === undefined) return true;
  return typeof value === 'number' ? value === 1 : value[0] === 1 && value[1] === 1;
}

/**
 * The shape of x ⊛ filter when our kernels cover it: x float32 [N, H, W, Cin] NHWC, filter
 * [3, 3, Cin, Cout], stride 1, dilation 1, pad `same` or `valid` (at least 3×3 for `valid`),
 * no dimRoundingMode. Null for anything else, which stays with tfjs's own kernels.
 */
export function coveredShape(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: ConvAttrs,
): ConvShape | null {
  const { strides, dilations, pad, dataFormat, dimRoundingMode } = attrs;
  if (xShape.length !== 4 || filterShape.length !== 4) return null;
  const [kh, kw, filterInChannels, outChannels] = filterShape;
  const [batch, inHeightPx, inWidthPx, inChannels] = xShape;
  if (kh !== KERNEL_SIZE_PX || kw !== KERNEL_SIZE_PX || filterInChannels !== inChannels) {
    return null;
  }
  if (!isOne(strides) || !isOne(dilations) || dimRoundingMode != null) return null;
  if (dataFormat !== undefined && dataFormat !== 'NHWC') return null;
  if (batch < 1 || inChannels < 1 || outChannels < 1) return null;
  if (pad === 'same') {
    return {
      batch,
      inHeightPx,
      inWidthPx,
      inChannels,
      outHeightPx: inHeightPx,
      outWidthPx: inWidthPx,
      outChannels,
      padTopPx: 1,
      padLeftPx: 1,
    };
  }
  if (pad === 'valid' && inHeightPx >= KERNEL_SIZE_PX && inWidthPx >= KERNEL_SIZE_PX) {
    return {
      batch,
      inHeightPx,
      inWidthPx,
      inChannels,
      outHeightPx: inHeightPx - 2,
      outWidthPx: inWidthPx - 2,
      outChannels,
      padTopPx: 0,
      padLeftPx: 0,
    };
  }
  return null;
}

/**
 * The input gradient of `shape` as a forward convolution: dy [N, Ho, Wo, Cout] correlated
 * with the flipped, channel-swapped filter, padding 2 − pad, giving dx [N, H, W, Cin].
 */
export function inputGradientShape(shape: ConvShape): ConvShape {
  return {
    batch: shape.batch,
    inHeightPx: shape.outHeightPx,
    inWidthPx: shape.outWidthPx,
    inChannels: shape.outChannels,
    outHeightPx: shape.inHeightPx,
    outWidthPx: shape.inWidthPx,
    outChannels: shape.inChannels,
    padTopPx: KERNEL_SIZE_PX - 1 - shape.padTopPx,
    padLeftPx: KERNEL_SIZE_PX - 1 - shape.padLeftPx,
  };
}

/** Whether Winograd covers the pass: it reads channels four at a time. */
export function isWinogradCovering(shape: ConvShape): boolean {
  return shape.inChannels % 4 === 0 && shape.outChannels % 4 === 0;
}

/** One output channel from whole vectors of input channels (every first layer's dx). */
function isSingleOutput(shape: ConvShape): boolean {
  return shape.outChannels === 1 && shape.inChannels % 4 === 0;
}

/** F(4×4, 3×3) when the output's sides are multiples of 4 (no ragged tiles), else F(2×2, 3×3). */
function winogradBySize(shape: ConvShape): ConvAlgorithm {
  return shape.outHeightPx % 4 === 0 && shape.outWidthPx % 4 === 0 ? 'winograd4' : 'winograd2';
}

/**
 * The algorithm of the forward pass: F(2×2, 3×3) when the channel counts allow. Not
 * F(4×4, 3×3): its larger rounding error, on real activations, flips ReLU and max-pool
 * decisions whose inputs are nearly tied, and each flip moves a gradient by a whole upstream
 * value; the seed CNN's gradients then differed from the stock path's by 2.2e-4 (relative)
 * instead of 2.5e-5 (docs/backends.md).
 */
export function forwardAlgorithm(shape: ConvShape): ConvAlgorithm {
  if (isSingleOutput(shape)) return 'single-output';
  return isWinogradCovering(shape) ? 'winograd2' : 'direct';
}

/**
 * The algorithm of the input gradient, given as its forward shape (inputGradientShape):
 * F(4×4, 3×3) where the sides allow. Gradients feed no ReLU or max-pool decision, so its error
 * stays as small as it is.
 */
export function inputGradientAlgorithm(shape: ConvShape): ConvAlgorithm {
  if (isSingleOutput(shape)) return 'single-output';
  return isWinogradCovering(shape) ? winogradBySize(shape) : 'direct';
}

/** The algorithm of the filter gradient: the dual of F(4×4, 3×3) where the sides allow. */
export function filterGradientAlgorithm(shape: ConvShape): ConvAlgorithm {
  return isWinogradCovering(shape) ? winogradBySize(shape) : 'direct';
}

/**
 * Whether the forward pass goes to our kernels. One input channel stays with XNNPACK: with
 * K = 9 per output value the direct kernel is bound by its per-tap setup and measured slower.
 */
export function isForwardOurs(shape: ConvShape): boolean {
  return shape.inChannels > 1;
}

/**
 * Floating-point operations of one pass (forward, input gradient and filter gradient alike):
 * 2·N·Ho·Wo·9·Cin·Cout, counting taps in the padding, as GEMM-based libraries report them.
 */
export function convFlops(shape: ConvShape): number {
  const { batch, outHeightPx, outWidthPx, inChannels, outChannels } = shape;
  return 2 * batch * outHeightPx * outWidthPx * KERNEL_SIZE_PX ** 2 * inChannels * outChannels;
}
