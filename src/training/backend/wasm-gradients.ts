/**
 * Two gradients registered in place of tfjs's stock ones, which on tfjs-backend-wasm 4.22
 * fall into slow kernel paths. They change how a gradient is computed, never what it is: each
 * checks, when it runs, that the active backend is `wasm` and that the case is covered, and
 * otherwise calls the stock gradient captured at install.
 *
 * - **BatchMatMul**: the stock gradient multiplies with `transposeA`/`transposeB`, which the
 *   WASM kernel runs in a scalar loop outside XNNPACK. Transposing the (small) operand
 *   explicitly first and multiplying without flags runs through XNNPACK, several times faster.
 * - **Add** (the bias of every Conv2D layer): the stock gradient reduces `dy` over the
 *   broadcast axes with `sum`, which on WASM first transposes the reduced axes innermost. An
 *   average pool over the whole image (channels innermost, no transpose) times H·W gives the
 *   same sum without the transpose. (`ones[1, M] · dy[M, C]` is slower still: XNNPACK repacks
 *   the fresh `dy` on every call.)
 *
 * With them goes a JavaScript MaxPoolGrad kernel for the wasm backend (wasm-max-pool-grad.ts).
 *
 * Measured by `node bench/training-profile-node.mjs` (WASM_GRADIENTS=0 for the stock ones) and
 * in the browser by `node bench/wasm-threads.mjs --configs t2,t2-stock`; figures in
 * BENCHMARKS.md, design in docs/backends.md.
 * Results differ from the stock gradients only in float32 summation order.
 */
import * as tf from '@tensorflow/tfjs';
import {
  installWasmMaxPoolGrad,
  isWasmMaxPoolGradInstalled,
  uninstallWasmMaxPoolGrad,
} from './wasm-max-pool-grad';

const BATCH_MAT_MUL_KERNEL_NAME = 'BatchMatMul';
const ADD_KERNEL_NAME = 'Add';

interface Rewrite {
  kernelName: string;
  /** Builds the replacement from the stock config it falls back on. */
  create: (stock: tf.GradConfig) => tf.GradConfig;
}

function isWasmActive(): boolean {
  return tf.getBackend() === 'wasm';
}

/** Swaps the last two axes: [..., rows, cols] → [..., cols, rows]. */
function transposeLast2<T extends tf.Tensor>(x: T): T {
  const axes = x.shape.map((_, i) => i);
  axes[x.rank - 2] = x.rank - 1;
  axes[x.rank - 1] = x.rank - 2;
  return tf.transpose(x, axes);
}

function createBatchMatMulGradient(stock: tf.GradConfig): tf.GradConfig {
  return {
    kernelName: BATCH_MAT_MUL_KERNEL_NAME,
    inputsToSave: ['a', 'b'],
    gradFunc: (dyOrList, saved, attrs) => {
      if (Array.isArray(dyOrList)) return stock.gradFunc(dyOrList, saved, attrs);
      const dy = dyOrList;
      const [a, b] = saved;
      const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
      // Dense layers give rank-2 operands. Batched operands are covered when their batch axes
      // match; broadcast batch axes are left to the stock gradient.
      const isCovered =
        isWasmActive() &&
        !transposeA &&
        !transposeB &&
        a.rank >= 2 &&
        a.rank === b.rank &&
        tf.util.arraysEqual(a.shape.slice(0, -2), b.shape.slice(0, -2));
      if (!isCovered) return stock.gradFunc(dy, saved, attrs);
      return {
        // y = a · b  ⇒  da = dy · bᵀ, db = aᵀ · dy
        a: () => tf.tidy(() => tf.matMul(dy, transposeLast2(b))),
        b: () => tf.tidy(() => tf.matMul(transposeLast2(a), dy)),
      };
    },
  };
}

/**
 * The bias gradient of an NHWC layer: `dy` [N, H, W, C] summed to `inputShape` when that is
 * [C] (or [1, …, 1, C]). As an average pool over the whole image (XNNPACK, channels
 * innermost, no transpose) times H·W, then a sum over the N rows. Null for any other shape.
 */
function channelSum(dy: tf.Tensor, inputShape: readonly number[]): tf.Tensor | null {
  if (dy.rank !== 4) return null;
  const [n, heightPx, widthPx, channels] = dy.shape;
  const isBias =
    inputShape.length >= 1 &&
    inputShape[inputShape.length - 1] === channels &&
    inputShape.slice(0, -1).every((d) => d === 1);
  if (!isBias) return null;
  return tf.tidy(() => {
    const meanPerImage = tf.avgPool(dy as tf.Tensor4D, [heightPx, widthPx], 1, 'valid');
    const sumPerImage = tf.mul(tf.reshape(meanPerImage, [n, channels]), heightPx * widthPx);
    return tf.reshape(tf.sum(sumPerImage, 0), [...inputShape]);
  });
}

function createAddGradient(stock: tf.GradConfig): tf.GradConfig {
  return {
    kernelName: ADD_KERNEL_NAME,
    inputsToSave: ['a', 'b'],
    gradFunc: (dyOrList, saved, attrs) => {
      const [a, b] = saved;
      if (Array.isArray(dyOrList) || !isWasmActive() || dyOrList.dtype !== 'float32') {
        return stock.gradFunc(dyOrList, saved, attrs);
      }
      const dy = dyOrList;
      const stockGrads = stock.gradFunc(dyOrList, saved, attrs);
      // Per input: the stock derivative unless it is an NHWC bias, then the pooled sum.
      const derivative = (input: tf.Tensor, name: 'a' | 'b') => () => {
        if (tf.util.arraysEqual(input.shape, dy.shape)) return stockGrads[name]();
        return channelSum(dy, input.shape) ?? stockGrads[name]();
      };
      return { a: derivative(a, 'a'), b: derivative(b, 'b') };
    },
  };
}

const REWRITES: Rewrite[] = [
  { kernelName: BATCH_MAT_MUL_KERNEL_NAME, create: createBatchMatMulGradient },
  { kernelName: ADD_KERNEL_NAME, create: createAddGradient },
];

/** Stock configs captured at the first install, and the replacements as registered. */
const stockConfigs = new Map<string, tf.GradConfig>();
const installedConfigs = new Map<string, tf.GradConfig>();

/**
 * True when every replacement is the gradient tfjs will use for its kernel, and the
 * JavaScript MaxPoolGrad kernel (wasm-max-pool-grad.ts) is registered once wasm is loaded.
 */
export function areWasmGradientRewritesInstalled(): boolean {
  const isMaxPoolGradInPlace =
    tf.getKernel('MaxPoolGrad', 'wasm') === undefined || isWasmMaxPoolGradInstalled();
  return (
    isMaxPoolGradInPlace &&
    REWRITES.every(
      ({ kernelName }) =>
        installedConfigs.has(kernelName) &&
        tf.getGradient(kernelName) === installedConfigs.get(kernelName),
    )
  );
}

/**
 * Registers the replacements. Idempotent. tfjs's gradient registry is global, but each
 * replacement defers to the stock gradient unless the `wasm` backend is active when it runs.
 */
export function installWasmGradientRewrites(): void {
  for (const { kernelName, create } of REWRITES) {
    const current = tf.getGradient(kernelName);
    if (current !== undefined && current === installedConfigs.get(kernelName)) continue;
    if (!stockConfigs.has(kernelName)) {
      if (current === undefined) {
        throw new Error(`wasm-gradients: tfjs has no ${kernelName} gradient to fall back on`);
      }
      stockConfigs.set(kernelName, { ...current });
    }
    let replacement = installedConfigs.get(kernelName);
    if (replacement === undefined) {
      replacement = create(stockConfigs.get(kernelName)!);
      installedConfigs.set(kernelName, replacement);
    }
    tf.registerGradient(replacement);
  }
  installWasmMaxPoolGrad();
}

/** Puts the stock gradients back. Idempotent; a no-op if never installed. */
export function uninstallWasmGradientRewrites(): void {
  for (const { kernelName } of REWRITES) {
    const stock = stockConfigs.get(kernelName);
    if (stock !== undefined && tf.getGradient(kernelName) === installedConfigs.get(kernelName)) {
      tf.registerGradient(stock);
    }
  }
  uninstallWasmMaxPoolGrad();
}

/** Installs or uninstalls the replacements. */
export function setWasmGradientRewrites(isEnabled: boolean): void {
  if (isEnabled) installWasmGradientRewrites();
  else uninstallWasmGradientRewrites();
}
