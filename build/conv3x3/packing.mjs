/**
 * Filter packing and buffer sizes, as WAT, in the same module as the kernels: the layouts the
 * kernels read are defined here once, and TypeScript asks the module for sizes instead of
 * repeating the formulas (src/training/backend/conv3x3-kernels.ts).
 *
 * Packing runs once per convolution call, in WASM, straight from the filter tensor on the heap
 * to a scratch buffer: under a millisecond for the seed CNN's largest layer, too little to be
 * worth caching across calls (the filter changes every training step anyway).
 *
 * Every packer reads a filter as tfjs stores it, W [3, 3, Cin, Cout], either as it is
 * (`flip` = 0: the forward pass) or as the input gradient's filter (`flip` = 1:
 * W'[ky][kx][co][ci] = W[2 − ky][2 − kx][ci][co], flipped in both spatial axes with the channel
 * axes swapped). In both cases `Ci`/`Co` are the input/output channels of the convolution
 * being run: for the input gradient, the layer's Cout and Cin.
 */
import { WINOGRAD_MATRICES } from './winograd.mjs';
import {
  add,
  floatBytes,
  get,
  linearF64,
  lines,
  lowerTo,
  mul,
  range,
  set,
  sub,
} from './wat-helpers.mjs';

/**
 * Element strides of filter element (tap, ci, co) in W for both readings, set into locals
 * $tapOrigin, $tapStride, $ciStride, $coStride.
 */
const filterStrides = lines(
  `(if ${get('flip')}`,
  `(then ${set('ciStride', '(i32.const 1)')} ${set('coStride', get('Ci'))}`,
  `${set('tapStride', sub(0, mul(get('Ci'), get('Co'))))} ${set('tapOrigin', mul(8, get('Ci'), get('Co')))})`,
  `(else ${set('ciStride', get('Co'))} ${set('coStride', '(i32.const 1)')}`,
  `${set('tapStride', mul(get('Ci'), get('Co')))} ${set('tapOrigin', '(i32.const 0)')}))`,
);
const STRIDE_LOCALS =
  '(local $tapOrigin i32) (local $tapStride i32) (local $ciStride i32) (local $coStride i32)';

/** Byte address in W of element (tap, ci, co) with the strides above. */
const filterAddress = (tap, ci, co) =>
  add(
    get('w'),
    floatBytes(
      add(
        get('tapOrigin'),
        mul(tap, get('tapStride')),
        mul(ci, get('ciStride')),
        mul(co, get('coStride')),
      ),
    ),
  );

/**
 * `pack_direct(w, bias, out, Ci, Co, hasBias, flip)`: the filter for conv3x3_fwd. Per block
 * of NR·4 output channels: NR·4 bias floats (zeros without `hasBias`; `bias` must still point
 * at Co readable floats, e.g. the zero buffer), then [tap][ci][NR·4] weights. Channels past Co
 * are zero, so the kernel's inner loops never test for them.
 */
export function packDirectFunction({ nr }) {
  const blockFloats = nr * 4;
  const inBlock = `(i32.lt_s ${get('c')} ${get('valid')})`;
  const store = (value) => lines(`(f32.store ${get('o')} ${value})`, set('o', add(get('o'), 4)));
  // `select` evaluates both operands, so past Co the loads read channel co0 instead: a real
  // element, never a byte past the tensor (and the value is dropped).
  const clampedChannel = `(select ${add(get('co0'), get('c'))} ${get('co0')} ${inBlock})`;
  return lines(
    '(func (export "pack_direct")',
    '(param $w i32) (param $bias i32) (param $out i32) (param $Ci i32) (param $Co i32) (param $hasBias i32) (param $flip i32)',
    STRIDE_LOCALS,
    '(local $o i32) (local $co0 i32) (local $valid i32) (local $tap i32) (local $ci i32) (local $c i32)',
    filterStrides,
    set('o', get('out')),
    set('co0', '(i32.const 0)'),
    '(block $blocksDone (loop $blocks',
    `(br_if $blocksDone (i32.ge_s ${get('co0')} ${get('Co')}))`,
    set('valid', sub(get('Co'), get('co0'))),
    lowerTo('valid', blockFloats),
    set('c', '(i32.const 0)'),
    '(loop $biasLanes',
    store(
      `(select (f32.load ${add(get('bias'), floatBytes(clampedChannel))}) (f32.const 0) (i32.and ${get('hasBias')} ${inBlock}))`,
    ),
    set('c', add(get('c'), 1)),
    `(br_if $biasLanes (i32.lt_s ${get('c')} (i32.const ${blockFloats}))))`,
    set('tap', '(i32.const 0)'),
    '(loop $taps',
    set('ci', '(i32.const 0)'),
    '(block $inputsDone (loop $inputs',
    `(br_if $inputsDone (i32.ge_s ${get('ci')} ${get('Ci')}))`,
    set('c', '(i32.const 0)'),
    '(loop $lanes',
    store(
      `(select (f32.load ${filterAddress(get('tap'), get('ci'), clampedChannel)}) (f32.const 0) ${inBlock})`,
    ),
    set('c', add(get('c'), 1)),
    `(br_if $lanes (i32.lt_s ${get('c')} (i32.const ${blockFloats}))))`,
    set('ci', add(get('ci'), 1)),
    '(br $inputs)))',
    set('tap', add(get('tap'), 1)),
    `(br_if $taps (i32.lt_s ${get('tap')} (i32.const 9))))`,
    set('co0', add(get('co0'), blockFloats)),
    '(br $blocks)))',
    ')',
  );
}

/**
 * `pack_single(w, out, Ci, flip)`: the filter for conv3x3_fwd_single (one output channel),
 * [tap][ci].
 */
export function packSingleFunction() {
  return lines(
    '(func (export "pack_single")',
    '(param $w i32) (param $out i32) (param $Ci i32) (param $flip i32)',
    STRIDE_LOCALS,
    '(local $Co i32) (local $tap i32) (local $ci i32) (local $o i32)',
    set('Co', '(i32.const 1)'),
    filterStrides,
    set('o', get('out')),
    set('tap', '(i32.const 0)'),
    '(loop $taps',
    set('ci', '(i32.const 0)'),
    '(loop $inputs',
    `(f32.store ${get('o')} (f32.load ${filterAddress(get('tap'), get('ci'), '(i32.const 0)')}))`,
    set('o', add(get('o'), 4)),
    set('ci', add(get('ci'), 1)),
    `(br_if $inputs (i32.lt_s ${get('ci')} ${get('Ci')})))`,
    set('tap', add(get('tap'), 1)),
    `(br_if $taps (i32.lt_s ${get('tap')} (i32.const 9))))`,
    ')',
  );
}

/**
 * `pack_winograd{m}(w, out, Ci, Co, flip)`: U = G g Gᵀ (α × α) for every channel pair of the
 * filter, computed in float64 and rounded once, packed as [k = α·row + column][co block][ci]
 * [NR·4] for winograd{m}_fwd, zero past Co.
 */
export function packWinogradFunction({ m, nr }) {
  const { G } = WINOGRAD_MATRICES[m];
  const alpha = m + 2;
  const blockFloats = nr * 4;
  // T = G g (α × 3), then U = T Gᵀ (α × α); g[i][j] = tap 3·i + j.
  const gTaps = range(9).map((tap) =>
    set(`g${tap}`, `(f64.promote_f32 (f32.load ${filterAddress(tap, get('ci'), get('co'))}))`),
  );
  const gTimes = range(alpha).map((a) =>
    range(3).map((j) =>
      set(
        `t${a}_${j}`,
        linearF64(
          G[a],
          range(3).map((i) => get(`g${3 * i + j}`)),
        ),
      ),
    ),
  );
  const stores = range(alpha).map((a) =>
    range(alpha).map(
      (b) =>
        `(f32.store ${add(get('target'), mul(a * alpha + b, get('uStride')))} (f32.demote_f64 ${linearF64(
          G[b],
          range(3).map((j) => get(`t${a}_${j}`)),
        )}))`,
    ),
  );
  return lines(
    `(func (export "pack_winograd${m}")`,
    '(param $w i32) (param $out i32) (param $Ci i32) (param $Co i32) (param $flip i32)',
    STRIDE_LOCALS,
    range(9)
      .map((tap) => `(local $g${tap} f64)`)
      .join(' '),
    range(alpha).map((a) =>
      range(3)
        .map((j) => `(local $t${a}_${j} f64)`)
        .join(' '),
    ),
    '(local $ci i32) (local $co i32) (local $CoP i32) (local $uStride i32) (local $target i32)',
    filterStrides,
    set(
      'CoP',
      mul(`(i32.div_u ${add(get('Co'), blockFloats - 1)} (i32.const ${blockFloats}))`, blockFloats),
    ),
    set('uStride', floatBytes(mul(get('Ci'), get('CoP')))),
    `(memory.fill ${get('out')} (i32.const 0) ${mul(alpha * alpha, get('uStride'))})`,
    set('ci', '(i32.const 0)'),
    '(loop $inputs',
    set('co', '(i32.const 0)'),
    '(loop $outputs',
    gTaps,
    gTimes,
    // [co block][ci][lane] within each of the α² matrices.
    set(
      'target',
      add(
        get('out'),
        floatBytes(
          add(
            mul(`(i32.div_u ${get('co')} (i32.const ${blockFloats}))`, get('Ci'), blockFloats),
            mul(get('ci'), blockFloats),
            `(i32.rem_u ${get('co')} (i32.const ${blockFloats}))`,
          ),
        ),
      ),
    ),
    stores,
    set('co', add(get('co'), 1)),
    `(br_if $outputs (i32.lt_s ${get('co')} ${get('Co')})))`,
    set('ci', add(get('ci'), 1)),
    `(br_if $inputs (i32.lt_s ${get('ci')} ${get('Ci')})))`,
    ')',
  );
}

/**
 * Exported size functions (bytes), so the caller allocates exactly what the kernels use:
 * - packed_direct_bytes(Ci, Co): pack_direct's output;
 * - packed_single_bytes(Ci): pack_single's output;
 * - packed_winograd_bytes(m, Ci, Co): pack_winograd{m}'s output;
 * - winograd_fwd_scratch_bytes(m, Ci, Co): winograd{m}_fwd's scratch;
 * - winograd_dw_sum_bytes(m, Ci, Co): S, the sum winograd{m}_dw_accumulate adds to;
 * - winograd_dw_region_bytes(m, Ci, Co): one thread's region for it (S, then its scratch);
 * - zero_bytes(Ci, Co): the zero buffer every kernel takes.
 */
export function sizeFunctions({ nr, tileBlock }) {
  const blockFloats = nr * 4;
  const padded = (channels) =>
    mul(`(i32.div_u ${add(channels, blockFloats - 1)} (i32.const ${blockFloats}))`, blockFloats);
  const alphaSquared = mul(add(get('m'), 2), add(get('m'), 2));
  const sizeFunction = (name, params, body) =>
    lines(
      `(func (export "${name}") ${params.map((p) => `(param $${p} i32)`).join(' ')} (result i32)`,
      body,
      ')',
    );
  return lines(
    sizeFunction(
      'packed_direct_bytes',
      ['Ci', 'Co'],
      floatBytes(mul(padded(get('Co')), add(1, mul(9, get('Ci'))))),
    ),
    sizeFunction('packed_single_bytes', ['Ci'], floatBytes(mul(9, get('Ci')))),
    sizeFunction(
      'packed_winograd_bytes',
      ['m', 'Ci', 'Co'],
      floatBytes(mul(alphaSquared, get('Ci'), padded(get('Co')))),
    ),
    sizeFunction(
      'winograd_fwd_scratch_bytes',
      ['m', 'Ci', 'Co'],
      floatBytes(mul(alphaSquared, tileBlock, add(get('Ci'), padded(get('Co'))))),
    ),
    sizeFunction(
      'winograd_dw_sum_bytes',
      ['m', 'Ci', 'Co'],
      floatBytes(mul(alphaSquared, get('Ci'), padded(get('Co')))),
    ),
    sizeFunction(
      'winograd_dw_region_bytes',
      ['m', 'Ci', 'Co'],
      floatBytes(
        mul(
          alphaSquared,
          add(mul(get('Ci'), padded(get('Co'))), mul(tileBlock, add(get('Ci'), padded(get('Co'))))),
        ),
      ),
    ),
    sizeFunction(
      'zero_bytes',
      ['Ci', 'Co'],
      floatBytes(padded(`(select ${get('Ci')} ${get('Co')} (i32.gt_s ${get('Ci')} ${get('Co')}))`)),
    ),
  );
}

/**
 * Helpers for the threads' partial sums:
 * - `fill_zero(address, bytes)`;
 * - `add_parts(target, first, parts, strideBytes, count)`: target[i] += Σ_p first[p·stride + i]
 *   for i < count floats (four at a time, the rest one by one).
 */
export const PARTIAL_SUM_FUNCTIONS = lines(
  '(func (export "fill_zero") (param $address i32) (param $bytes i32)',
  `(memory.fill ${get('address')} (i32.const 0) ${get('bytes')}))`,
  '(func (export "add_parts") (param $target i32) (param $first i32) (param $parts i32) (param $strideBytes i32) (param $count i32)',
  '(local $i i32) (local $p i32) (local $part i32) (local $sum v128) (local $one f32)',
  set('i', '(i32.const 0)'),
  '(block $vectorsDone (loop $vectors',
  `(br_if $vectorsDone (i32.gt_s ${add(get('i'), 4)} ${get('count')}))`,
  set('sum', `(v128.load ${add(get('target'), floatBytes(get('i')))})`),
  set('part', add(get('first'), floatBytes(get('i')))),
  set('p', '(i32.const 0)'),
  '(block $partsDone (loop $parts',
  `(br_if $partsDone (i32.ge_s ${get('p')} ${get('parts')}))`,
  set('sum', `(f32x4.add ${get('sum')} (v128.load ${get('part')}))`),
  set('part', add(get('part'), get('strideBytes'))),
  set('p', add(get('p'), 1)),
  '(br $parts)))',
  `(v128.store ${add(get('target'), floatBytes(get('i')))} ${get('sum')})`,
  set('i', add(get('i'), 4)),
  '(br $vectors)))',
  '(block $restDone (loop $rest',
  `(br_if $restDone (i32.ge_s ${get('i')} ${get('count')}))`,
  set('one', `(f32.load ${add(get('target'), floatBytes(get('i')))})`),
  set('part', add(get('first'), floatBytes(get('i')))),
  set('p', '(i32.const 0)'),
  '(block $partsDone1 (loop $parts1',
  `(br_if $partsDone1 (i32.ge_s ${get('p')} ${get('parts')}))`,
  set('one', `(f32.add ${get('one')} (f32.load ${get('part')}))`),
  set('part', add(get('part'), get('strideBytes'))),
  set('p', add(get('p'), 1)),
  '(br $parts1)))',
  `(f32.store ${add(get('target'), floatBytes(get('i')))} ${get('one')})`,
  set('i', add(get('i'), 1)),
  '(br $rest)))',
  ')',
);
