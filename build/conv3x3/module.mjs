/**
 * The WebAssembly text of the 3×3 convolution kernels: one module per SIMD flavour and memory
 * kind, generated here and assembled by ./assemble.mjs.
 *
 * Why generated: the kernels' speed comes from register tiles of accumulators fully unrolled
 * into locals, for several tile shapes and two multiply-add flavours; written out by hand that
 * would be thousands of lines. The functions in this folder emit them from one description.
 *
 * Every pointer a kernel takes is a byte offset into the ONE imported memory, `env.memory`,
 * which at run time is tfjs-backend-wasm's own heap: tensors are read and written in place.
 * For that reason a module owns nothing in that memory: it has no data segment, no global, no
 * start function and no stack (assemble.mjs refuses a module that has any), and it writes only
 * to the output and scratch pointers it is given.
 *
 * Exports (sizes in elements, pointers in bytes; each function's doc comment has the details):
 * - conv3x3_fwd, conv3x3_dw: direct forward (and input gradient) and filter gradient, any
 *   channel count and image size; conv3x3_fwd_single: the forward for one output channel
 *   (direct.mjs);
 * - winograd2_fwd, winograd4_fwd: Winograd F(2×2, 3×3) and F(4×4, 3×3);
 *   winograd{2,4}_dw_accumulate and _finish: their filter-gradient duals; channel counts
 *   multiples of 4 (winograd.mjs);
 * - pack_direct, pack_single, pack_winograd2, pack_winograd4, the *_bytes size functions,
 *   fill_zero and add_parts for the threads' partial sums (packing.mjs).
 */
import {
  directFilterGradientFunction,
  directForwardFunction,
  singleOutputForwardFunction,
} from './direct.mjs';
import {
  packDirectFunction,
  PARTIAL_SUM_FUNCTIONS,
  packSingleFunction,
  packWinogradFunction,
  sizeFunctions,
} from './packing.mjs';
import { LOAD_LANES_FUNCTION, lines, multiplyAdd } from './wat-helpers.mjs';
import { winogradFilterGradientFunctions, winogradForwardFunction } from './winograd.mjs';

/**
 * Register tiles and blocking, the same for every variant.
 * - forward: 4 pixels × 2 vectors (8 output channels), input channels unrolled by 4;
 * - filter gradient: 4 input channels × 2 vectors;
 * - Winograd: the same 4 × 2 tile in its GEMMs, blocks of 64 tiles (V and M of the seed CNN's
 *   largest layer, 36 × 64 × 64 floats each, stay in L2).
 * 4 × 2 tiles hold 8 accumulators, what 2 FMAs per cycle × 4 cycles of latency need; tiles of
 * 12 accumulators spill on x64 (docs/backends.md).
 */
export const KERNEL_TILES = Object.freeze({
  forwardPixels: 4,
  vectors: 2,
  forwardUnroll: 4,
  filterGradientChannels: 4,
  winogradTileBlock: 64,
});

/** The module variants: SIMD flavour × whether the imported memory is shared. */
export const KERNEL_VARIANTS = Object.freeze([
  { name: 'relaxed', flavour: 'relaxed', isShared: false },
  { name: 'simd128', flavour: 'simd128', isShared: false },
  { name: 'relaxed-shared', flavour: 'relaxed', isShared: true },
  { name: 'simd128-shared', flavour: 'simd128', isShared: true },
]);

/**
 * The memory import. A non-shared import without a maximum accepts any non-shared memory of
 * at least one page (tfjs's single-thread binaries export a growable one). A shared import
 * must declare a maximum no smaller than the memory's: emscripten's threaded heap has 65,536
 * pages (4 GiB), so that is what is declared.
 */
function memoryImport(isShared) {
  return isShared
    ? '(import "env" "memory" (memory 1 65536 shared))'
    : '(import "env" "memory" (memory 1))';
}

/** The WAT text of one module variant ({ flavour: 'relaxed' | 'simd128', isShared }). */
export function generateKernelModuleWat({ flavour, isShared }) {
  const madd = multiplyAdd(flavour);
  const { forwardPixels, vectors, forwardUnroll, filterGradientChannels, winogradTileBlock } =
    KERNEL_TILES;
  const winograd = (m) => ({
    m,
    mr: forwardPixels,
    nr: vectors,
    tileBlock: winogradTileBlock,
    madd,
  });
  const winogradDw = (m) => ({ ...winograd(m), mr: filterGradientChannels });
  return lines(
    '(module',
    memoryImport(isShared),
    LOAD_LANES_FUNCTION,
    directForwardFunction({ mr: forwardPixels, nr: vectors, unroll: forwardUnroll, madd }),
    singleOutputForwardFunction({ mr: forwardPixels, madd }),
    directFilterGradientFunction({ mr: filterGradientChannels, nr: vectors, madd }),
    winogradForwardFunction(winograd(2)),
    winogradForwardFunction(winograd(4)),
    winogradFilterGradientFunctions(winogradDw(2)),
    winogradFilterGradientFunctions(winogradDw(4)),
    packDirectFunction({ nr: vectors }),
    packSingleFunction(),
    packWinogradFunction({ m: 2, nr: vectors }),
    packWinogradFunction({ m: 4, nr: vectors }),
    sizeFunctions({ nr: vectors, tileBlock: winogradTileBlock }),
    PARTIAL_SUM_FUNCTIONS,
    ')',
  );
}

/**
 * Tiny modules for feature detection with `WebAssembly.validate`: one SIMD128 instruction,
 * and one relaxed-SIMD multiply-add. They are assembled by the same toolchain as the kernels.
 */
export const FEATURE_PROBES_WAT = Object.freeze({
  simd128:
    '(module (func (result v128) (f32x4.add (v128.const f32x4 1 1 1 1) (v128.const f32x4 1 1 1 1))))',
  relaxed:
    '(module (func (result v128) (f32x4.relaxed_madd (v128.const f32x4 1 1 1 1) (v128.const f32x4 1 1 1 1) (v128.const f32x4 1 1 1 1))))',
});
