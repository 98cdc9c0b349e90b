/**
 * Winograd kernels for 3×3 convolutions, as WAT: F(m×m, 3×3) forward (also the input gradient,
 * with the flipped filter) and its dual F(3×3, m×m) for the filter gradient, m = 2 or 4, for
 * channel counts that are multiples of 4.
 *
 * Why: the direct kernels already run near the FMA peak, so only fewer multiplications go
 * further. Per m×m output tile and channel pair, F(2×2, 3×3) multiplies 16 times instead of 36
 * (2.25× fewer) and F(4×4, 3×3) 36 instead of 144 (4×), at the price of transforms, scratch
 * traffic and, for F(4×4, 3×3), larger rounding error: its transforms have constants up to 8
 * and 1/24 (docs/backends.md states the bound the tests hold).
 *
 * Work goes in blocks of TB tiles taken from all images in one flat sequence (so a small
 * image, or batch 1, fills blocks as well as a large one). α = m + 2 is the tile's input size.
 */
import {
  V128_BYTES,
  add,
  floatBytes,
  get,
  i32,
  linearF32x4,
  lines,
  lowerTo,
  mul,
  range,
  set,
  sub,
} from './wat-helpers.mjs';

/**
 * Transform matrices (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks",
 * 2016): input Bᵀ (α × α), filter G (α × 3), output Aᵀ (m × α). For one tile,
 * Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A.
 */
export const WINOGRAD_MATRICES = {
  2: {
    BT: [
      [1, 0, -1, 0],
      [0, 1, 1, 0],
      [0, -1, 1, 0],
      [0, 1, 0, -1],
    ],
    G: [
      [1, 0, 0],
      [1 / 2, 1 / 2, 1 / 2],
      [1 / 2, -1 / 2, 1 / 2],
      [0, 0, 1],
    ],
    AT: [
      [1, 1, 1, 0],
      [0, 1, -1, -1],
    ],
  },
  4: {
    BT: [
      [4, 0, -5, 0, 1, 0],
      [0, -4, -4, 1, 1, 0],
      [0, 4, -4, -1, 1, 0],
      [0, -2, -1, 2, 1, 0],
      [0, 2, -1, -2, 1, 0],
      [0, 4, 0, -5, 0, 1],
    ],
    G: [
      [1 / 4, 0, 0],
      [-1 / 6, -1 / 6, -1 / 6],
      [-1 / 6, 1 / 6, -1 / 6],
      [1 / 24, 1 / 12, 1 / 6],
      [1 / 24, -1 / 12, 1 / 6],
      [0, 0, 1],
    ],
    AT: [
      [1, 1, 1, 1, 1, 0],
      [0, 1, -1, 2, -2, 0],
      [0, 1, 1, 4, 4, 0],
      [0, 1, -1, 8, -8, 1],
    ],
  },
};

/** Tile index g (flat over the batch) → image n, tile row/column, output pixel (oy, ox). */
function tileCoordinates(m) {
  return [
    set('g', add(get('g0'), get('t'))),
    set('n', `(i32.div_u ${get('g')} ${get('tilesPerImage')})`),
    set('rem', sub(get('g'), mul(get('n'), get('tilesPerImage')))),
    set('ty', `(i32.div_u ${get('rem')} ${get('tilesX')})`),
    set('oy', mul(get('ty'), m)),
    set('ox', mul(sub(get('rem'), mul(get('ty'), get('tilesX'))), m)),
  ];
}

/**
 * Pointers $p{r}_{c} to the α×α input patch of the current tile in x (image $xImage, top-left
 * input pixel ($iy0, $ix0)), or to the zero buffer where the patch leaves the image.
 */
function patchPointers(alpha) {
  return range(alpha).map((r) => [
    set('iy', add(get('iy0'), r)),
    set('rowInside', `(i32.lt_u ${get('iy')} ${get('H')})`),
    set('rowBase', add(get('xImage'), mul(get('iy'), get('W'), get('pixelBytes')))),
    range(alpha).map((c) =>
      set(
        `p${r}_${c}`,
        `(select ${add(get('rowBase'), mul(add(get('ix0'), c), get('pixelBytes')))} ${get('zero')} (i32.and ${get('rowInside')} (i32.lt_u ${add(get('ix0'), c)} ${get('W')})))`,
      ),
    ),
  ]);
}

/**
 * V = Bᵀ d B for four channels (byte offset $channelBytes in each pixel): columns first into
 * $t{r}_{c}, then rows; V[k] goes to $vp + k·$vStride.
 */
function inputTransform(alpha, BT) {
  const columns = range(alpha).map((c) => [
    range(alpha).map((r) =>
      set(`d${r}`, `(v128.load ${add(get(`p${r}_${c}`), get('channelBytes'))})`),
    ),
    range(alpha).map((r) =>
      set(
        `t${r}_${c}`,
        linearF32x4(
          BT[r],
          range(alpha).map((i) => get(`d${i}`)),
        ),
      ),
    ),
  ]);
  const rows = range(alpha).map((r) =>
    range(alpha).map(
      (c) =>
        `(v128.store ${add(get('vp'), mul(r * alpha + c, get('vStride')))} ${linearF32x4(
          BT[c],
          range(alpha).map((j) => get(`t${r}_${j}`)),
        )})`,
    ),
  );
  return lines(columns, rows);
}

/** Locals shared by the forward and filter-gradient functions. */
function commonLocals(alpha, mr, nr) {
  return [
    range(alpha).map((r) =>
      range(alpha)
        .map((c) => `(local $p${r}_${c} i32) (local $t${r}_${c} v128)`)
        .join(' '),
    ),
    range(alpha)
      .map((r) => `(local $d${r} v128)`)
      .join(' '),
    ...range(mr * nr).map((i) => `(local $acc${Math.floor(i / nr)}_${i % nr} v128)`),
    ...range(nr).map((j) => `(local $b${j} v128)`),
    '(local $a v128) (local $rowInside i32) (local $rowBase i32) (local $CoutP i32)',
    '(local $tilesX i32) (local $tilesPerImage i32) (local $tileCount i32)',
    '(local $g0 i32) (local $g i32) (local $tb i32) (local $t i32) (local $n i32) (local $rem i32) (local $ty i32)',
    '(local $iy0 i32) (local $ix0 i32) (local $iy i32) (local $oy i32) (local $ox i32) (local $xImage i32)',
    '(local $pixelBytes i32) (local $channelBytes i32) (local $vStride i32) (local $vp i32) (local $k i32)',
    '(local $ci0 i32) (local $co0 i32) (local $wp i32) (local $ci i32)',
  ];
}

/** Tile counts and the padded output-channel count, set at the start of both functions. */
function tileGeometry(m, blockFloats) {
  return [
    set('tilesX', `(i32.div_u ${add(get('Wo'), m - 1)} (i32.const ${m}))`),
    set(
      'tilesPerImage',
      mul(`(i32.div_u ${add(get('Ho'), m - 1)} (i32.const ${m}))`, get('tilesX')),
    ),
    set('tileCount', mul(get('N'), get('tilesPerImage'))),
    set(
      'CoutP',
      mul(
        `(i32.div_u ${add(get('Cout'), blockFloats - 1)} (i32.const ${blockFloats}))`,
        blockFloats,
      ),
    ),
  ];
}

/** The GEMMs of the forward pass: M[k] (tb × CoutP) = V[k] (tb × Cin) · U[k] (Cin × CoutP). */
function forwardGemms({ alpha, mr, nr, madd }) {
  const blockFloats = nr * 4;
  const step = (u) => [
    range(nr).map((j) =>
      set(`b${j}`, `(v128.load offset=${(u * nr + j) * V128_BYTES} ${get('wp')})`),
    ),
    range(mr).map((r) => [
      set('a', `(v128.load32_splat offset=${4 * u} ${get(`pa${r}`)})`),
      range(nr).map((j) => set(`acc${r}_${j}`, madd(get('a'), get(`b${j}`), get(`acc${r}_${j}`)))),
    ]),
  ];
  const mRow = (r) =>
    add(get('mk'), floatBytes(add(mul(add(get('t0'), r), get('CoutP')), get('co0'))));
  return lines(
    set('k', '(i32.const 0)'),
    '(loop $transformedTaps',
    set('vk', add(get('sV'), mul(get('k'), get('vStride')))),
    set('mk', add(get('sM'), mul(get('k'), get('mStride')))),
    set('t0', '(i32.const 0)'),
    '(loop $tileRows',
    set('co0', '(i32.const 0)'),
    set('ub', add(get('upk'), mul(get('k'), get('uStride')))),
    '(loop $channelBlocks',
    range(mr).map((r) => set(`pa${r}`, add(get('vk'), mul(add(get('t0'), r), get('pixelBytes'))))),
    range(mr * nr).map((i) =>
      set(`acc${Math.floor(i / nr)}_${i % nr}`, '(v128.const i32x4 0 0 0 0)'),
    ),
    set('wp', get('ub')),
    set('ci', get('Cin')),
    // Four input channels per iteration: Cin is a multiple of 4.
    '(loop $inputChannels',
    range(4).map(step),
    range(mr).map((r) => set(`pa${r}`, add(get(`pa${r}`), 16))),
    set('wp', add(get('wp'), 4 * nr * V128_BYTES)),
    set('ci', sub(get('ci'), 4)),
    `(br_if $inputChannels ${get('ci')}))`,
    range(mr).map((r) =>
      range(nr).map(
        (j) => `(v128.store offset=${j * V128_BYTES} ${mRow(r)} ${get(`acc${r}_${j}`)})`,
      ),
    ),
    set('ub', add(get('ub'), mul(get('Cin'), blockFloats * 4))),
    set('co0', add(get('co0'), blockFloats)),
    `(br_if $channelBlocks (i32.lt_s ${get('co0')} ${get('Cout')})))`,
    set('t0', add(get('t0'), mr)),
    `(br_if $tileRows (i32.lt_s ${get('t0')} ${get('tb')})))`,
    set('k', add(get('k'), 1)),
    `(br_if $transformedTaps (i32.lt_u ${get('k')} (i32.const ${alpha * alpha}))))`,
  );
}

/**
 * Y = Aᵀ M A + bias (then ReLU) for four output channels of one tile; pixels past Ho or Wo
 * (the ragged last tile row or column) are not stored.
 */
function outputTransform(m, alpha, AT) {
  const columns = range(alpha).map((c) => [
    range(alpha).map((r) =>
      set(`d${r}`, `(v128.load ${add(get('mp'), mul(r * alpha + c, get('mStride')))})`),
    ),
    range(m).map((r) =>
      set(
        `t${r}_${c}`,
        linearF32x4(
          AT[r],
          range(alpha).map((i) => get(`d${i}`)),
        ),
      ),
    ),
  ]);
  const stores = range(m).map((r) =>
    range(m).map((c) => {
      const store = lines(
        set(
          'a',
          `(f32x4.add ${linearF32x4(
            AT[c],
            range(alpha).map((j) => get(`t${r}_${j}`)),
          )} ${get('biasVector')})`,
        ),
        `(v128.store ${add(get('yBase'), mul(r, get('yRowBytes')), mul(c, get('yPixelBytes')))} (select (f32x4.max ${get('a')} (v128.const i32x4 0 0 0 0)) ${get('a')} ${get('relu')}))`,
      );
      const guards = [
        r > 0 ? get(`rowInside${r}`) : null,
        c > 0 ? get(`columnInside${c}`) : null,
      ].filter(Boolean);
      if (guards.length === 0) return store;
      const condition = guards.length === 2 ? `(i32.and ${guards[0]} ${guards[1]})` : guards[0];
      return `(if ${condition} (then ${store}))`;
    }),
  );
  return lines(columns, stores);
}

/**
 * `winograd{m}_fwd(x, upk, bias, y, zero, scratch, N, H, W, Cin, Ho, Wo, Cout, padT, padL,
 * relu, clearScratch)`: the same result as conv3x3_fwd (direct.mjs) for Cin and Cout
 * multiples of 4.
 * `upk`: the filter transformed and packed by `pack_winograd{m}`; `bias`: Cout floats (point
 * it at `zero` for none); `zero`: ≥ max(Cin, Cout) zero floats; `scratch`:
 * `winograd_fwd_scratch_bytes(m, Cin, Cout)` bytes, used as V [α²][TB][Cin] then M
 * [α²][TB][CoutP] (CoutP: Cout rounded up to NR·4). Its GEMMs read whole MR-tile rows, so
 * rows past the last tile must hold finite numbers: `clearScratch` ≠ 0 zeroes the scratch
 * first, which a thread's first call on a fresh scratch must ask for (later calls find the
 * finite numbers of the earlier ones).
 *
 * Per block of TB tiles: (1) input transform V[k][t] = (Bᵀ d B)[k] per tile t; (2) α² GEMMs
 * M[k] = V[k] · U[k] with the direct kernels' register tile; (3) output transform
 * Y = Aᵀ M A + bias (+ ReLU) per tile. TB is chosen so that V and M stay in L2.
 */
export function winogradForwardFunction({ m, mr, nr, tileBlock, madd }) {
  const { BT, AT } = WINOGRAD_MATRICES[m];
  const alpha = m + 2;
  const inputPhase = lines(
    set('t', '(i32.const 0)'),
    '(loop $inputTiles',
    tileCoordinates(m),
    set('xImage', add(get('x'), mul(get('n'), get('H'), get('W'), get('pixelBytes')))),
    set('iy0', sub(get('oy'), get('padT'))),
    set('ix0', sub(get('ox'), get('padL'))),
    patchPointers(alpha),
    set('vp', add(get('sV'), mul(get('t'), get('pixelBytes')))),
    set('channelBytes', '(i32.const 0)'),
    '(loop $inputGroups',
    inputTransform(alpha, BT),
    set('vp', add(get('vp'), 16)),
    set('channelBytes', add(get('channelBytes'), 16)),
    `(br_if $inputGroups (i32.lt_u ${get('channelBytes')} ${get('pixelBytes')})))`,
    set('t', add(get('t'), 1)),
    `(br_if $inputTiles (i32.lt_s ${get('t')} ${get('tb')})))`,
  );
  const outputPhase = lines(
    set('t', '(i32.const 0)'),
    '(loop $outputTiles',
    tileCoordinates(m),
    range(m)
      .slice(1)
      .map((r) => [
        set(`rowInside${r}`, `(i32.lt_u ${add(get('oy'), r)} ${get('Ho')})`),
        set(`columnInside${r}`, `(i32.lt_u ${add(get('ox'), r)} ${get('Wo')})`),
      ]),
    set(
      'yBase',
      add(
        get('y'),
        mul(
          add(mul(add(mul(get('n'), get('Ho')), get('oy')), get('Wo')), get('ox')),
          get('yPixelBytes'),
        ),
      ),
    ),
    set('mp', add(get('sM'), floatBytes(mul(get('t'), get('CoutP'))))),
    set('co0', '(i32.const 0)'),
    '(loop $outputGroups',
    set('biasVector', `(v128.load ${add(get('bias'), floatBytes(get('co0')))})`),
    outputTransform(m, alpha, AT),
    set('mp', add(get('mp'), 16)),
    set('yBase', add(get('yBase'), 16)),
    set('co0', add(get('co0'), 4)),
    `(br_if $outputGroups (i32.lt_s ${get('co0')} ${get('Cout')})))`,
    set('t', add(get('t'), 1)),
    `(br_if $outputTiles (i32.lt_s ${get('t')} ${get('tb')})))`,
  );
  return lines(
    `(func (export "winograd${m}_fwd")`,
    '(param $x i32) (param $upk i32) (param $bias i32) (param $y i32) (param $zero i32) (param $scratch i32)',
    '(param $N i32) (param $H i32) (param $W i32) (param $Cin i32)',
    '(param $Ho i32) (param $Wo i32) (param $Cout i32) (param $padT i32) (param $padL i32) (param $relu i32)',
    '(param $clearScratch i32)',
    commonLocals(alpha, mr, nr),
    range(m)
      .map((r) => `(local $rowInside${r} i32) (local $columnInside${r} i32)`)
      .join(' '),
    range(mr)
      .map((r) => `(local $pa${r} i32)`)
      .join(' '),
    '(local $biasVector v128) (local $sV i32) (local $sM i32) (local $mStride i32) (local $uStride i32) (local $mp i32)',
    '(local $vk i32) (local $mk i32) (local $t0 i32) (local $ub i32) (local $yBase i32) (local $yRowBytes i32) (local $yPixelBytes i32)',
    tileGeometry(m, nr * 4),
    set('pixelBytes', floatBytes(get('Cin'))),
    set('vStride', mul(tileBlock, get('pixelBytes'))),
    set('mStride', floatBytes(mul(tileBlock, get('CoutP')))),
    set('uStride', floatBytes(mul(get('Cin'), get('CoutP')))),
    set('sV', get('scratch')),
    set('sM', add(get('scratch'), mul(alpha * alpha, get('vStride')))),
    `(if ${get('clearScratch')} (then (memory.fill ${get('scratch')} (i32.const 0) ${mul(alpha * alpha, add(get('vStride'), get('mStride')))})))`,
    set('yPixelBytes', floatBytes(get('Cout'))),
    set('yRowBytes', mul(get('Wo'), get('yPixelBytes'))),
    set('g0', '(i32.const 0)'),
    '(block $blocksDone (loop $blocks',
    `(br_if $blocksDone (i32.ge_u ${get('g0')} ${get('tileCount')}))`,
    set('tb', sub(get('tileCount'), get('g0'))),
    lowerTo('tb', tileBlock),
    inputPhase,
    forwardGemms({ alpha, mr, nr, madd }),
    outputPhase,
    set('g0', add(get('g0'), get('tb'))),
    '(br $blocks)))',
    ')',
  );
}

/** Z = A dy Aᵀ (α × α) for four output channels of one tile, from the m×m patch $q{a}_{b}. */
function gradientTransform(m, alpha, AT) {
  // A = ATᵀ (α × m): Z[i][j] = Σ_a Σ_b AT[a][i] · dy[a][b] · AT[b][j].
  const column = (i) => range(m).map((a) => AT[a][i]);
  const columns = range(m).map((b) => [
    range(m).map((a) => set(`d${a}`, `(v128.load ${add(get(`q${a}_${b}`), get('channelBytes'))})`)),
    range(alpha).map((i) =>
      set(
        `t${i}_${b}`,
        linearF32x4(
          column(i),
          range(m).map((a) => get(`d${a}`)),
        ),
      ),
    ),
  ]);
  const rows = range(alpha).map((i) =>
    range(alpha).map(
      (j) =>
        `(v128.store ${add(get('zp'), mul(i * alpha + j, get('zStride')))} ${linearF32x4(
          column(j),
          range(m).map((b) => get(`t${i}_${b}`)),
        )})`,
    ),
  );
  return lines(columns, rows);
}

/** S[k] (Cr × CoutP) += V[k]ᵀ Z[k], reduced over the tb tiles of the block. */
function filterGradientGemms({ alpha, mr, nr, madd }) {
  const blockFloats = nr * 4;
  const sRow = (r) =>
    add(get('sk'), floatBytes(add(mul(add(get('ci0'), r), get('CoutP')), get('co0'))));
  return lines(
    set('k', '(i32.const 0)'),
    '(loop $transformedTaps',
    set('sk', add(get('sS'), mul(get('k'), get('sStride')))),
    set('ci0', '(i32.const 0)'),
    '(loop $inputChannels',
    set('co0', '(i32.const 0)'),
    '(loop $outputChannels',
    range(mr).map((r) =>
      range(nr).map((j) => set(`acc${r}_${j}`, `(v128.load offset=${j * V128_BYTES} ${sRow(r)})`)),
    ),
    set('pv', add(get('sV'), mul(get('k'), get('vStride')), floatBytes(get('ci0')))),
    set('pz', add(get('sZ'), mul(get('k'), get('zStride')), floatBytes(get('co0')))),
    set('i', get('tb')),
    '(loop $tiles',
    range(nr).map((j) => set(`b${j}`, `(v128.load offset=${j * V128_BYTES} ${get('pz')})`)),
    range(mr).map((r) => [
      set('a', `(v128.load32_splat offset=${4 * r} ${get('pv')})`),
      range(nr).map((j) => set(`acc${r}_${j}`, madd(get('a'), get(`b${j}`), get(`acc${r}_${j}`)))),
    ]),
    set('pv', add(get('pv'), get('vRowBytes'))),
    set('pz', add(get('pz'), get('zRowBytes'))),
    set('i', sub(get('i'), 1)),
    `(br_if $tiles ${get('i')}))`,
    range(mr).map((r) =>
      range(nr).map(
        (j) => `(v128.store offset=${j * V128_BYTES} ${sRow(r)} ${get(`acc${r}_${j}`)})`,
      ),
    ),
    set('co0', add(get('co0'), blockFloats)),
    `(br_if $outputChannels (i32.lt_s ${get('co0')} ${get('Cout')})))`,
    set('ci0', add(get('ci0'), mr)),
    `(br_if $inputChannels (i32.lt_s ${get('ci0')} ${get('Cr')})))`,
    set('k', add(get('k'), 1)),
    `(br_if $transformedTaps (i32.lt_u ${get('k')} (i32.const ${alpha * alpha}))))`,
  );
}

/** dW[ky][kx] = (Gᵀ S G)[ky][kx] for one input channel and four output channels. */
function filterTransform(alpha, G) {
  const column = (tap) => range(alpha).map((i) => G[i][tap]);
  const columns = range(alpha).map((j) => [
    range(alpha).map((i) =>
      set(`d${i}`, `(v128.load ${add(get('sp'), mul(i * alpha + j, get('sStride')))})`),
    ),
    range(3).map((ky) =>
      set(
        `t${ky}_${j}`,
        linearF32x4(
          column(ky),
          range(alpha).map((i) => get(`d${i}`)),
        ),
      ),
    ),
  ]);
  const rows = range(3).map((ky) =>
    range(3).map(
      (kx) =>
        `(v128.store ${add(get('dwp'), mul(ky * 3 + kx, get('dwTapBytes')))} ${linearF32x4(
          column(kx),
          range(alpha).map((j) => get(`t${ky}_${j}`)),
        )})`,
    ),
  );
  return lines(columns, rows);
}

/**
 * The Winograd filter gradient, F(3×3, m×m), the dual of the forward algorithm: for one tile
 * ⟨Aᵀ (U ⊙ V) A, dy⟩ = ⟨g, Gᵀ (V ⊙ Z) G⟩ with V = Bᵀ d B and Z = A dy Aᵀ, so
 * dW = Gᵀ (Σ_tiles V ⊙ Z) G: α² GEMMs with a long reduction over tiles, S[k] += V[k]ᵀ Z[k],
 * then one small transform per channel pair; α²/(9·m²) of the direct multiplications. Two
 * exports, so that threads can each reduce their own images into their own S and one thread
 * transforms the sum (channel counts multiples of 4):
 *
 * - `winograd{m}_dw_accumulate(x, dy, region, zero, N, H, W, Cin, Ho, Wo, Cout, padT, padL,
 *   clearScratch)` adds the N images' Σ V[k]ᵀ Z[k] to S, the first part of `region`
 *   (`winograd_dw_region_bytes(m, Cin, Cout)`: S [α²][Cin][CoutP], zeroed by the caller, then
 *   the V and Z scratch; Z's padding columns, CoutP > Cout, must be zero: `clearScratch` ≠ 0
 *   on a thread's first call); `zero`: ≥ max(Cin, Cout) zero floats.
 * - `winograd{m}_dw_finish(region, dw, Cin, Cout)`: dw [3, 3, Cin, Cout] = Gᵀ S G (overwritten).
 */
export function winogradFilterGradientFunctions({ m, mr, nr, tileBlock, madd }) {
  return lines(
    winogradFilterGradientAccumulate({ m, mr, nr, tileBlock, madd }),
    winogradFilterGradientFinish({ m, nr }),
  );
}

function winogradFilterGradientAccumulate({ m, mr, nr, tileBlock, madd }) {
  const { BT, AT } = WINOGRAD_MATRICES[m];
  const alpha = m + 2;
  const dyPointers = range(m).map((a) =>
    range(m).map((b) =>
      set(
        `q${a}_${b}`,
        `(select ${add(get('dyImage'), mul(add(mul(add(get('oy'), a), get('Wo')), add(get('ox'), b)), get('dyPixelBytes')))} ${get('zero')} (i32.and (i32.lt_u ${add(get('oy'), a)} ${get('Ho')}) (i32.lt_u ${add(get('ox'), b)} ${get('Wo')})))`,
      ),
    ),
  );
  const transformPhase = lines(
    set('t', '(i32.const 0)'),
    '(loop $blockTiles',
    tileCoordinates(m),
    set('xImage', add(get('x'), mul(get('n'), get('H'), get('W'), get('pixelBytes')))),
    set('iy0', sub(get('oy'), get('padT'))),
    set('ix0', sub(get('ox'), get('padL'))),
    patchPointers(alpha),
    // V[k][t][ci] = (Bᵀ d B)[k].
    set('vp', add(get('sV'), mul(get('t'), get('pixelBytes')))),
    set('channelBytes', '(i32.const 0)'),
    '(loop $inputGroups',
    inputTransform(alpha, BT),
    set('vp', add(get('vp'), 16)),
    set('channelBytes', add(get('channelBytes'), 16)),
    `(br_if $inputGroups (i32.lt_u ${get('channelBytes')} ${get('pixelBytes')})))`,
    // Z[k][t][co] = (A dy Aᵀ)[k].
    set('dyImage', add(get('dy'), mul(get('n'), get('Ho'), get('Wo'), get('dyPixelBytes')))),
    dyPointers,
    set('zp', add(get('sZ'), mul(get('t'), get('zRowBytes')))),
    set('channelBytes', '(i32.const 0)'),
    '(loop $gradientGroups',
    gradientTransform(m, alpha, AT),
    set('zp', add(get('zp'), 16)),
    set('channelBytes', add(get('channelBytes'), 16)),
    `(br_if $gradientGroups (i32.lt_u ${get('channelBytes')} ${get('dyPixelBytes')})))`,
    set('t', add(get('t'), 1)),
    `(br_if $blockTiles (i32.lt_s ${get('t')} ${get('tb')})))`,
  );
  return lines(
    `(func (export "winograd${m}_dw_accumulate")`,
    '(param $x i32) (param $dy i32) (param $region i32) (param $zero i32)',
    '(param $N i32) (param $H i32) (param $W i32) (param $Cin i32)',
    '(param $Ho i32) (param $Wo i32) (param $Cout i32) (param $padT i32) (param $padL i32)',
    '(param $clearScratch i32)',
    commonLocals(alpha, mr, nr),
    range(m).map((a) =>
      range(m)
        .map((b) => `(local $q${a}_${b} i32)`)
        .join(' '),
    ),
    '(local $Cr i32) (local $dyImage i32) (local $dyPixelBytes i32) (local $sV i32) (local $sZ i32) (local $sS i32)',
    '(local $zStride i32) (local $sStride i32) (local $vRowBytes i32) (local $zRowBytes i32) (local $zp i32) (local $sk i32)',
    '(local $pv i32) (local $pz i32) (local $i i32)',
    tileGeometry(m, nr * 4),
    // The GEMMs take every input channel (Cr: the rows of V and S).
    set('Cr', get('Cin')),
    set('pixelBytes', floatBytes(get('Cin'))),
    set('dyPixelBytes', floatBytes(get('Cout'))),
    set('vRowBytes', floatBytes(get('Cr'))),
    set('zRowBytes', floatBytes(get('CoutP'))),
    set('vStride', mul(tileBlock, get('vRowBytes'))),
    set('zStride', mul(tileBlock, get('zRowBytes'))),
    set('sStride', mul(get('Cr'), get('zRowBytes'))),
    set('sS', get('region')),
    set('sV', add(get('sS'), mul(alpha * alpha, get('sStride')))),
    set('sZ', add(get('sV'), mul(alpha * alpha, get('vStride')))),
    `(if ${get('clearScratch')} (then (memory.fill ${get('sV')} (i32.const 0) ${mul(alpha * alpha, add(get('vStride'), get('zStride')))})))`,
    set('g0', '(i32.const 0)'),
    '(block $blocksDone (loop $blocks',
    `(br_if $blocksDone (i32.ge_u ${get('g0')} ${get('tileCount')}))`,
    set('tb', sub(get('tileCount'), get('g0'))),
    lowerTo('tb', i32(tileBlock)),
    transformPhase,
    filterGradientGemms({ alpha, mr, nr, madd }),
    set('g0', add(get('g0'), get('tb'))),
    '(br $blocks)))',
    ')',
  );
}

function winogradFilterGradientFinish({ m, nr }) {
  const blockFloats = nr * 4;
  const { G } = WINOGRAD_MATRICES[m];
  const alpha = m + 2;
  return lines(
    `(func (export "winograd${m}_dw_finish")`,
    '(param $region i32) (param $dw i32) (param $Cin i32) (param $Cout i32)',
    range(alpha)
      .map((r) => `(local $d${r} v128)`)
      .join(' '),
    range(3)
      .map((ky) =>
        range(alpha)
          .map((j) => `(local $t${ky}_${j} v128)`)
          .join(' '),
      )
      .join(' '),
    '(local $CoutP i32) (local $sStride i32) (local $dwTapBytes i32) (local $ci i32) (local $co0 i32) (local $sp i32) (local $dwp i32)',
    set(
      'CoutP',
      mul(
        `(i32.div_u ${add(get('Cout'), blockFloats - 1)} (i32.const ${blockFloats}))`,
        blockFloats,
      ),
    ),
    set('sStride', floatBytes(mul(get('Cin'), get('CoutP')))),
    set('dwTapBytes', floatBytes(mul(get('Cin'), get('Cout')))),
    set('ci', '(i32.const 0)'),
    '(loop $finalInputs',
    set('co0', '(i32.const 0)'),
    '(loop $finalOutputs',
    set('sp', add(get('region'), floatBytes(add(mul(get('ci'), get('CoutP')), get('co0'))))),
    set('dwp', add(get('dw'), floatBytes(add(mul(get('ci'), get('Cout')), get('co0'))))),
    filterTransform(alpha, G),
    set('co0', add(get('co0'), 4)),
    `(br_if $finalOutputs (i32.lt_s ${get('co0')} ${get('Cout')})))`,
    set('ci', add(get('ci'), 1)),
    `(br_if $finalInputs (i32.lt_s ${get('ci')} ${get('Cin')})))`,
    ')',
  );
}
