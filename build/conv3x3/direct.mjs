/**
 * The direct 3×3 convolution kernels, as WAT: the forward pass (also used for the input
 * gradient, with the filter flipped) and the filter gradient. Both are register-blocked
 * implicit GEMMs: an MR × NR tile of accumulators (MR pixels or input channels, NR vectors of
 * four output channels), fully unrolled so that each accumulator is its own local and V8 keeps
 * it in an XMM register. 4 × 2 tiles (8 accumulators) leave room in x64's 16 XMM registers;
 * 12 accumulators spill.
 */
import {
  V128_BYTES,
  add,
  floatBytes,
  get,
  lines,
  lowerTo,
  mul,
  raiseTo,
  range,
  set,
  storeVectorsMasked,
  sub,
} from './wat-helpers.mjs';

/** `(local $acc{r}_{j} v128)` for an MR × NR tile, plus the NR filter vectors `$b{j}`. */
function tileLocals(mr, nr) {
  return [
    ...range(mr * nr).map((k) => `(local $acc${Math.floor(k / nr)}_${k % nr} v128)`),
    ...range(nr).map((j) => `(local $b${j} v128)`),
  ];
}

/**
 * One multiply-add step of a tile: load NR filter vectors (`loadB(j)`), then for each of the
 * MR rows broadcast one float (`loadA(r)`) and multiply-add it into the row's NR accumulators.
 */
function tileStep(mr, nr, madd, loadA, loadB) {
  return lines(
    range(nr).map((j) => set(`b${j}`, loadB(j))),
    range(mr).map((r) => [
      set('a', loadA(r)),
      range(nr).map((j) => set(`acc${r}_${j}`, madd(get('a'), get(`b${j}`), get(`acc${r}_${j}`)))),
    ]),
  );
}

/**
 * `conv3x3_fwd(x, wpk, y, zero, N, H, W, Cin, Ho, Wo, Cout, padT, padL, relu)`:
 * y [N, Ho, Wo, Cout] = bias + Σ x [N, H, W, Cin] ⊛ W [3, 3, Cin, Cout], then ReLU when
 * `relu` ≠ 0. Pointers are byte offsets; `wpk` is the filter packed by `pack_direct` (bias
 * included), `zero` points at ≥ Cin zero floats, read for taps that fall in the padding (no
 * padded copy of x is made). Output pixel (oy, ox) reads input pixel (oy + ky − padT,
 * ox + kx − padL): `same` is padT = padL = 1 with Ho = H, `valid` 0 with Ho = H − 2, and the
 * input gradient a full correlation, 2 − pad.
 *
 * GEMM view: M = the Ho·Wo pixels of one image in row-major order, MR at a time (a tile may
 * wrap to the next row); N = Cout, NR·4 at a time; K = 9·Cin. Loop nest: image → block of
 * output channels → pixel tile → tap → input channel (unrolled by `unroll`). The packed
 * filter block (9·Cin·NR·4 floats) stays in L1 while the tiles sweep the image.
 */
export function directForwardFunction({ mr, nr, unroll, madd }) {
  const blockFloats = nr * 4;
  const pixelSetup = range(mr).map((r) => [
    set('m', add(get('m0'), r)),
    set('oy', `(i32.div_u ${get('m')} ${get('Wo')})`),
    // Pixels past the image's end get a row far outside, so every tap reads the zero buffer.
    set(
      `iy${r}`,
      `(select ${sub(get('oy'), get('padT'))} (i32.const 0x40000000) (i32.lt_u ${get('m')} ${get('HoWo')}))`,
    ),
    set(`ix${r}`, sub(get('m'), mul(get('oy'), get('Wo')), get('padL'))),
  ]);
  // Input pointer of tile pixel r at tap (ky, kx), or the zero buffer in the padding.
  const tapPointers = range(mr).map((r) => [
    set('iyk', add(get(`iy${r}`), get('ky'))),
    set('ixk', add(get(`ix${r}`), get('kx'))),
    set(
      `p${r}`,
      `(select ${add(get('xImage'), mul(get('iyk'), get('rowBytes')), mul(get('ixk'), get('pixelBytes')))} ${get('zero')} (i32.and (i32.lt_u ${get('iyk')} ${get('H')}) (i32.lt_u ${get('ixk')} ${get('W')})))`,
    ),
  ]);
  const step = (u) =>
    tileStep(
      mr,
      nr,
      madd,
      (r) => `(v128.load32_splat offset=${4 * u} ${get(`p${r}`)})`,
      (j) => `(v128.load offset=${(u * nr + j) * V128_BYTES} ${get('wp')})`,
    );
  const advance = (channels) => [
    range(mr).map((r) => set(`p${r}`, add(get(`p${r}`), 4 * channels))),
    set('wp', add(get('wp'), channels * nr * V128_BYTES)),
    set('ci', sub(get('ci'), channels)),
  ];
  const stores = range(mr).map((r) =>
    lines(
      `(if (i32.lt_u ${add(get('m0'), r)} ${get('HoWo')}) (then`,
      set(
        'address',
        add(get('yImage'), floatBytes(add(mul(add(get('m0'), r), get('Cout')), get('co0')))),
      ),
      storeVectorsMasked(
        nr,
        (j) =>
          `(select (f32x4.max ${get(`acc${r}_${j}`)} (v128.const i32x4 0 0 0 0)) ${get(`acc${r}_${j}`)} ${get('relu')})`,
      ),
      '))',
    ),
  );
  return lines(
    '(func (export "conv3x3_fwd")',
    '(param $x i32) (param $wpk i32) (param $y i32) (param $zero i32)',
    '(param $N i32) (param $H i32) (param $W i32) (param $Cin i32)',
    '(param $Ho i32) (param $Wo i32) (param $Cout i32) (param $padT i32) (param $padL i32) (param $relu i32)',
    tileLocals(mr, nr),
    '(local $a v128) (local $lanesValue v128)',
    range(mr).map((r) => `(local $p${r} i32) (local $iy${r} i32) (local $ix${r} i32)`),
    '(local $n i32) (local $xImage i32) (local $yImage i32) (local $co0 i32) (local $valid i32)',
    '(local $block i32) (local $m0 i32) (local $HoWo i32) (local $m i32) (local $oy i32)',
    '(local $ky i32) (local $kx i32) (local $iyk i32) (local $ixk i32) (local $wp i32) (local $ci i32)',
    '(local $address i32) (local $rowBytes i32) (local $pixelBytes i32)',
    set('HoWo', mul(get('Ho'), get('Wo'))),
    set('pixelBytes', floatBytes(get('Cin'))),
    set('rowBytes', mul(get('W'), get('pixelBytes'))),
    set('n', '(i32.const 0)'),
    '(block $imagesDone (loop $images',
    `(br_if $imagesDone (i32.ge_u ${get('n')} ${get('N')}))`,
    set('xImage', add(get('x'), mul(get('n'), get('H'), get('rowBytes')))),
    set('yImage', add(get('y'), floatBytes(mul(get('n'), get('HoWo'), get('Cout'))))),
    set('co0', '(i32.const 0)'),
    set('block', get('wpk')),
    '(block $blocksDone (loop $blocks',
    `(br_if $blocksDone (i32.ge_s ${get('co0')} ${get('Cout')}))`,
    set('valid', sub(get('Cout'), get('co0'))),
    lowerTo('valid', blockFloats),
    set('m0', '(i32.const 0)'),
    '(block $tilesDone (loop $tiles',
    `(br_if $tilesDone (i32.ge_u ${get('m0')} ${get('HoWo')}))`,
    pixelSetup,
    // Accumulators start at the bias, the first NR vectors of the packed block.
    range(mr).map((r) =>
      range(nr).map((j) =>
        set(`acc${r}_${j}`, `(v128.load offset=${j * V128_BYTES} ${get('block')})`),
      ),
    ),
    set('wp', add(get('block'), nr * V128_BYTES)),
    set('ky', '(i32.const 0)'),
    '(loop $rows',
    set('kx', '(i32.const 0)'),
    '(loop $columns',
    tapPointers,
    set('ci', get('Cin')),
    `(block $unrolledDone (loop $unrolled`,
    `(br_if $unrolledDone (i32.lt_s ${get('ci')} (i32.const ${unroll})))`,
    range(unroll).map(step),
    advance(unroll),
    '(br $unrolled)))',
    '(block $restDone (loop $rest',
    `(br_if $restDone (i32.eqz ${get('ci')}))`,
    step(0),
    advance(1),
    '(br $rest)))',
    set('kx', add(get('kx'), 1)),
    `(br_if $columns (i32.lt_u ${get('kx')} (i32.const 3))))`,
    set('ky', add(get('ky'), 1)),
    `(br_if $rows (i32.lt_u ${get('ky')} (i32.const 3))))`,
    stores,
    set('m0', add(get('m0'), mr)),
    '(br $tiles)))',
    set('co0', add(get('co0'), blockFloats)),
    set('block', add(get('block'), floatBytes(add(blockFloats, mul(9 * blockFloats, get('Cin')))))),
    '(br $blocks)))',
    set('n', add(get('n'), 1)),
    '(br $images)))',
    ')',
  );
}

/**
 * `conv3x3_fwd_single(x, w1, bias, y, zero, N, H, W, Cin, Ho, Wo, padT, padL, relu)`: the
 * forward convolution for one output channel (Cout = 1) and Cin a multiple of 4, as the input
 * gradient of every architecture's first layer is (64 channels of dy → 1 channel of dx). The
 * general kernel would fill one lane of its eight; this one runs along the input channels
 * instead: each pixel's 9·Cin products are multiply-added four channels at a time, eight
 * vectors at once (MR pixels × 2 channel vectors), and summed across lanes once per pixel.
 * `w1`: the filter packed by `pack_single` ([tap][Cin]); `bias`: one float (`zero` for none).
 */
export function singleOutputForwardFunction({ mr, madd }) {
  const vectors = 2;
  const pixelSetup = range(mr).map((r) => [
    set('m', add(get('m0'), r)),
    set('oy', `(i32.div_u ${get('m')} ${get('Wo')})`),
    set(
      `iy${r}`,
      `(select ${sub(get('oy'), get('padT'))} (i32.const 0x40000000) (i32.lt_u ${get('m')} ${get('HoWo')}))`,
    ),
    set(`ix${r}`, sub(get('m'), mul(get('oy'), get('Wo')), get('padL'))),
  ]);
  const tapPointers = range(mr).map((r) => [
    set('iyk', add(get(`iy${r}`), get('ky'))),
    set('ixk', add(get(`ix${r}`), get('kx'))),
    set(
      `p${r}`,
      `(select ${add(get('xImage'), mul(get('iyk'), get('rowBytes')), mul(get('ixk'), get('pixelBytes')))} ${get('zero')} (i32.and (i32.lt_u ${get('iyk')} ${get('H')}) (i32.lt_u ${get('ixk')} ${get('W')})))`,
    ),
  ]);
  const step = (count) => [
    range(count).map((u) => set(`b${u}`, `(v128.load offset=${u * V128_BYTES} ${get('wp')})`)),
    range(mr).map((r) =>
      range(count).map((u) =>
        set(
          `acc${r}_${u}`,
          madd(
            `(v128.load offset=${u * V128_BYTES} ${get(`p${r}`)})`,
            get(`b${u}`),
            get(`acc${r}_${u}`),
          ),
        ),
      ),
    ),
    range(mr).map((r) => set(`p${r}`, add(get(`p${r}`), count * V128_BYTES))),
    set('wp', add(get('wp'), count * V128_BYTES)),
    set('ci', sub(get('ci'), 4 * count)),
  ];
  const laneSum = (vector) =>
    `(f32.add (f32.add (f32x4.extract_lane 0 ${vector}) (f32x4.extract_lane 1 ${vector})) (f32.add (f32x4.extract_lane 2 ${vector}) (f32x4.extract_lane 3 ${vector})))`;
  const stores = range(mr).map((r) =>
    lines(
      `(if (i32.lt_u ${add(get('m0'), r)} ${get('HoWo')}) (then`,
      set(
        'sum',
        `(f32.add ${laneSum(`(f32x4.add ${get(`acc${r}_0`)} ${get(`acc${r}_1`)})`)} ${get('biasValue')})`,
      ),
      `(f32.store ${add(get('yImage'), floatBytes(add(get('m0'), r)))} (select (f32.max ${get('sum')} (f32.const 0)) ${get('sum')} ${get('relu')}))`,
      '))',
    ),
  );
  return lines(
    '(func (export "conv3x3_fwd_single")',
    '(param $x i32) (param $w1 i32) (param $bias i32) (param $y i32) (param $zero i32)',
    '(param $N i32) (param $H i32) (param $W i32) (param $Cin i32)',
    '(param $Ho i32) (param $Wo i32) (param $padT i32) (param $padL i32) (param $relu i32)',
    tileLocals(mr, vectors),
    '(local $sum f32) (local $biasValue f32)',
    range(mr).map((r) => `(local $p${r} i32) (local $iy${r} i32) (local $ix${r} i32)`),
    '(local $n i32) (local $xImage i32) (local $yImage i32) (local $m0 i32) (local $HoWo i32) (local $m i32) (local $oy i32)',
    '(local $ky i32) (local $kx i32) (local $iyk i32) (local $ixk i32) (local $wp i32) (local $ci i32)',
    '(local $rowBytes i32) (local $pixelBytes i32)',
    set('biasValue', `(f32.load ${get('bias')})`),
    set('HoWo', mul(get('Ho'), get('Wo'))),
    set('pixelBytes', floatBytes(get('Cin'))),
    set('rowBytes', mul(get('W'), get('pixelBytes'))),
    set('n', '(i32.const 0)'),
    '(block $imagesDone (loop $images',
    `(br_if $imagesDone (i32.ge_u ${get('n')} ${get('N')}))`,
    set('xImage', add(get('x'), mul(get('n'), get('H'), get('rowBytes')))),
    set('yImage', add(get('y'), floatBytes(mul(get('n'), get('HoWo'))))),
    set('m0', '(i32.const 0)'),
    '(block $tilesDone (loop $tiles',
    `(br_if $tilesDone (i32.ge_u ${get('m0')} ${get('HoWo')}))`,
    pixelSetup,
    range(mr).map((r) =>
      range(vectors).map((u) => set(`acc${r}_${u}`, '(v128.const i32x4 0 0 0 0)')),
    ),
    set('wp', get('w1')),
    set('ky', '(i32.const 0)'),
    '(loop $rows',
    set('kx', '(i32.const 0)'),
    '(loop $columns',
    tapPointers,
    set('ci', get('Cin')),
    '(block $pairsDone (loop $pairs',
    `(br_if $pairsDone (i32.lt_s ${get('ci')} (i32.const 8)))`,
    step(2),
    '(br $pairs)))',
    `(if (i32.ge_s ${get('ci')} (i32.const 4)) (then`,
    step(1),
    '))',
    set('kx', add(get('kx'), 1)),
    `(br_if $columns (i32.lt_u ${get('kx')} (i32.const 3))))`,
    set('ky', add(get('ky'), 1)),
    `(br_if $rows (i32.lt_u ${get('ky')} (i32.const 3))))`,
    stores,
    set('m0', add(get('m0'), mr)),
    '(br $tiles)))',
    set('n', add(get('n'), 1)),
    '(br $images)))',
    ')',
  );
}

/**
 * One register tile of the filter gradient: `mr` input channels of one tap × NR vectors of
 * output channels, reduced over every output pixel of the current band. With `isMasked`, the
 * block holds fewer than NR·4 real output channels (`$valid`): dy and dw are then read with
 * `$load_lanes` and written lane by lane, so nothing past either tensor's end is touched.
 */
function filterGradientTile(mr, nr, madd, isMasked, name) {
  const load = (address, j) =>
    isMasked
      ? `(call $load_lanes ${add(address, j * V128_BYTES)} ${get(`lanes${j}`)})`
      : `(v128.load offset=${j * V128_BYTES} ${address})`;
  const dwRow = (r) => add(get('dwp'), mul(r, get('coutBytes')));
  const body = tileStep(
    mr,
    nr,
    madd,
    (r) => `(v128.load32_splat offset=${4 * r} ${get('px')})`,
    (j) => load(get('pd'), j),
  );
  return lines(
    range(mr).map((r) => range(nr).map((j) => set(`acc${r}_${j}`, load(dwRow(r), j)))),
    set('oy', get('yLo')),
    `(loop $rows${name}`,
    // x at (n, oy + ky − padT, xLo + kx − padL, ci0) and dy at (n, oy, xLo, co0).
    set(
      'px',
      add(
        get('x'),
        floatBytes(
          add(
            mul(
              add(
                mul(add(get('nH'), sub(add(get('oy'), get('ky')), get('padT'))), get('W')),
                sub(add(get('xLo'), get('kx')), get('padL')),
              ),
              get('Cin'),
            ),
            get('ci0'),
          ),
        ),
      ),
    ),
    set(
      'pd',
      add(
        get('dy'),
        floatBytes(
          add(
            mul(add(mul(add(get('nHo'), get('oy')), get('Wo')), get('xLo')), get('Cout')),
            get('co0'),
          ),
        ),
      ),
    ),
    set('i', get('count')),
    `(loop $pixels${name}`,
    body,
    set('px', add(get('px'), get('pixelBytes'))),
    set('pd', add(get('pd'), get('coutBytes'))),
    set('i', sub(get('i'), 1)),
    `(br_if $pixels${name} ${get('i')}))`,
    set('oy', add(get('oy'), 1)),
    `(br_if $rows${name} (i32.lt_s ${get('oy')} ${get('yHi')})))`,
    range(mr).map((r) =>
      lines(
        set('address', dwRow(r)),
        storeVectorsMasked(nr, (j) => get(`acc${r}_${j}`)),
      ),
    ),
  );
}

/** The block loop over output channels for a tile of `mr` input channels starting at $ci0. */
function filterGradientChannelBlocks(mr, nr, madd, name) {
  const blockFloats = nr * 4;
  return lines(
    set('co0', '(i32.const 0)'),
    `(block $blocksDone${name} (loop $blocks${name}`,
    `(br_if $blocksDone${name} (i32.ge_s ${get('co0')} ${get('Cout')}))`,
    set('valid', sub(get('Cout'), get('co0'))),
    lowerTo('valid', blockFloats),
    range(nr).map((j) => [set(`lanes${j}`, sub(get('valid'), 4 * j)), raiseTo(`lanes${j}`, 0)]),
    set(
      'dwp',
      add(
        get('dw'),
        floatBytes(add(mul(add(mul(get('tap'), get('Cin')), get('ci0')), get('Cout')), get('co0'))),
      ),
    ),
    `(if (i32.eq ${get('valid')} (i32.const ${blockFloats}))`,
    `(then ${filterGradientTile(mr, nr, madd, false, `${name}Full`)})`,
    `(else ${filterGradientTile(mr, nr, madd, true, `${name}Masked`)}))`,
    set('co0', add(get('co0'), blockFloats)),
    `(br $blocks${name})))`,
  );
}

/**
 * `conv3x3_dw(x, dy, dw, N, H, W, Cin, Ho, Wo, Cout, padT, padL, rows)`: adds to dw
 * [3, 3, Cin, Cout] (zeroed by the caller) Σ over n, oy, ox of
 * x [n, oy + ky − padT, ox + kx − padL, ci] · dy [n, oy, ox, co], for the N images given. Threads
 * each add their own images into their own dw and the sums are added at the end.
 *
 * GEMM view: M = (tap, ci), MR input channels at a time (a remainder with a 1-channel tile);
 * N = Cout, NR·4 at a time; K = every output pixel of the batch. For each tap the range of
 * output pixels whose input pixel lies inside the image is computed once, so the padding
 * costs neither reads nor branches. Work goes in bands of `rows` dy rows: each band's slices
 * of x and dy stay in cache across all (tap, ci, co) blocks, and the accumulators go through
 * dw once per band.
 */
export function directFilterGradientFunction({ mr, nr, madd }) {
  const channelTiles = lines(
    set('ci0', '(i32.const 0)'),
    '(block $wideDone (loop $wide',
    `(br_if $wideDone (i32.gt_s ${add(get('ci0'), mr)} ${get('Cin')}))`,
    filterGradientChannelBlocks(mr, nr, madd, 'Wide'),
    set('ci0', add(get('ci0'), mr)),
    '(br $wide)))',
    '(block $narrowDone (loop $narrow',
    `(br_if $narrowDone (i32.ge_s ${get('ci0')} ${get('Cin')}))`,
    filterGradientChannelBlocks(1, nr, madd, 'Narrow'),
    set('ci0', add(get('ci0'), 1)),
    '(br $narrow)))',
  );
  return lines(
    '(func (export "conv3x3_dw")',
    '(param $x i32) (param $dy i32) (param $dw i32)',
    '(param $N i32) (param $H i32) (param $W i32) (param $Cin i32)',
    '(param $Ho i32) (param $Wo i32) (param $Cout i32) (param $padT i32) (param $padL i32)',
    '(param $rows i32)',
    tileLocals(mr, nr),
    range(nr).map((j) => `(local $lanes${j} i32)`),
    '(local $a v128) (local $lanesValue v128)',
    '(local $n i32) (local $nH i32) (local $nHo i32) (local $band i32) (local $bandEnd i32)',
    '(local $ky i32) (local $kx i32) (local $tap i32) (local $yLo i32) (local $yHi i32) (local $xLo i32) (local $xHi i32) (local $count i32)',
    '(local $ci0 i32) (local $co0 i32) (local $valid i32) (local $dwp i32) (local $coutBytes i32) (local $address i32)',
    '(local $oy i32) (local $px i32) (local $pd i32) (local $i i32) (local $pixelBytes i32)',
    set('pixelBytes', floatBytes(get('Cin'))),
    // One pixel of dy and one row of dw are both Cout floats.
    set('coutBytes', floatBytes(get('Cout'))),
    set('n', '(i32.const 0)'),
    '(block $imagesDone (loop $images',
    `(br_if $imagesDone (i32.ge_u ${get('n')} ${get('N')}))`,
    set('nH', mul(get('n'), get('H'))),
    set('nHo', mul(get('n'), get('Ho'))),
    set('band', '(i32.const 0)'),
    '(block $bandsDone (loop $bands',
    `(br_if $bandsDone (i32.ge_s ${get('band')} ${get('Ho')}))`,
    set('bandEnd', add(get('band'), get('rows'))),
    lowerTo('bandEnd', get('Ho')),
    set('ky', '(i32.const 0)'),
    '(loop $tapRows',
    // Output rows of the band whose input row oy + ky − padT lies inside the image.
    set('yLo', get('band')),
    raiseTo('yLo', sub(get('padT'), get('ky'))),
    set('yHi', get('bandEnd')),
    lowerTo('yHi', sub(add(get('H'), get('padT')), get('ky'))),
    set('kx', '(i32.const 0)'),
    '(loop $tapColumns',
    set('tap', add(mul(get('ky'), 3), get('kx'))),
    set('xLo', '(i32.const 0)'),
    raiseTo('xLo', sub(get('padL'), get('kx'))),
    set('xHi', get('Wo')),
    lowerTo('xHi', sub(add(get('W'), get('padL')), get('kx'))),
    set('count', sub(get('xHi'), get('xLo'))),
    `(if (i32.and (i32.gt_s ${get('count')} (i32.const 0)) (i32.lt_s ${get('yLo')} ${get('yHi')})) (then`,
    channelTiles,
    '))',
    set('kx', add(get('kx'), 1)),
    `(br_if $tapColumns (i32.lt_u ${get('kx')} (i32.const 3))))`,
    set('ky', add(get('ky'), 1)),
    `(br_if $tapRows (i32.lt_u ${get('ky')} (i32.const 3))))`,
    set('band', add(get('band'), get('rows'))),
    '(br $bands)))',
    set('n', add(get('n'), 1)),
    '(br $images)))',
    ')',
  );
}
