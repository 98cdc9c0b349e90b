/**
 * Small helpers for writing WebAssembly text (WAT) from JavaScript: the 3×3 convolution
 * kernels are emitted by functions in this folder (see ./module.mjs for the overview).
 */

/** Bytes in one v128 vector (four float32 lanes). */
export const V128_BYTES = 16;

/** [0, 1, …, n − 1]. */
export const range = (n) => Array.from({ length: n }, (_, i) => i);

/** Joins WAT fragments with newlines; nested arrays are flattened, null/false skipped. */
export function lines(...parts) {
  return parts
    .flat(Infinity)
    .filter((part) => part !== null && part !== false && part !== '')
    .join('\n');
}

/**
 * `a·b + c` on f32x4 for one flavour. `relaxed`: `f32x4.relaxed_madd`, a fused multiply-add
 * where the CPU has one (x64 with FMA3, arm64), else a multiply and an add; results may differ
 * in the last bit between CPUs, never by more. `simd128`: a multiply and an add, everywhere.
 */
export function multiplyAdd(flavour) {
  if (flavour === 'relaxed') return (a, b, c) => `(f32x4.relaxed_madd ${a} ${b} ${c})`;
  if (flavour === 'simd128') return (a, b, c) => `(f32x4.add (f32x4.mul ${a} ${b}) ${c})`;
  throw new Error(`unknown SIMD flavour ${flavour}`);
}

/**
 * Σ coefs[i]·terms[i] as one f32x4 expression: coefficients ±1 become adds and subtracts,
 * zeros are skipped, others multiply by a splatted constant (the Winograd transforms).
 */
export function linearF32x4(coefs, terms) {
  let sum = null;
  coefs.forEach((coef, i) => {
    if (coef === 0) return;
    const magnitude = Math.abs(coef);
    const scaled =
      magnitude === 1
        ? terms[i]
        : `(f32x4.mul (v128.const f32x4 ${magnitude} ${magnitude} ${magnitude} ${magnitude}) ${terms[i]})`;
    if (sum === null) sum = coef > 0 ? scaled : `(f32x4.neg ${scaled})`;
    else sum = `(f32x4.${coef > 0 ? 'add' : 'sub'} ${sum} ${scaled})`;
  });
  return sum ?? '(v128.const i32x4 0 0 0 0)';
}

/**
 * Σ coefs[i]·terms[i] as one f64 expression. Constants are written with JavaScript's
 * shortest round-trip text, so 1/6 is the float64 nearest to one sixth.
 */
export function linearF64(coefs, terms) {
  let sum = null;
  coefs.forEach((coef, i) => {
    if (coef === 0) return;
    const term = coef === 1 ? terms[i] : `(f64.mul (f64.const ${coef}) ${terms[i]})`;
    sum = sum === null ? term : `(f64.add ${sum} ${term})`;
  });
  return sum ?? '(f64.const 0)';
}

/** `(local.get $name)`. */
export const get = (name) => `(local.get $${name})`;

/** `(local.set $name value)`. */
export const set = (name, value) => `(local.set $${name} ${value})`;

/** i32 arithmetic on WAT expressions or numbers: add(a, b, c…), mul(a, b…). */
const fold =
  (op) =>
  (first, ...rest) =>
    rest.reduce((acc, value) => `(i32.${op} ${acc} ${i32(value)})`, i32(first));
export const add = fold('add');
export const sub = fold('sub');
export const mul = fold('mul');

/** A number as an i32 constant; a WAT expression unchanged. */
export function i32(value) {
  return typeof value === 'number' ? `(i32.const ${value})` : value;
}

/** Byte offset of `count` float32 elements: count·4. */
export const floatBytes = (count) => `(i32.shl ${i32(count)} (i32.const 2))`;

/** `if (a < b) a = b` and `if (a > b) a = b` on signed i32 locals. */
export const raiseTo = (name, value) =>
  `(if (i32.lt_s ${get(name)} ${i32(value)}) (then ${set(name, i32(value))}))`;
export const lowerTo = (name, value) =>
  `(if (i32.gt_s ${get(name)} ${i32(value)}) (then ${set(name, i32(value))}))`;

/**
 * Stores `count` vectors (values from `value(j)`) at byte address local `$address`, vector j
 * at offset 16·j: whole vectors when `$valid` (the real channels of the block) is 4·count,
 * else lane by lane up to `$valid`, so nothing past the last real channel is written.
 */
export function storeVectorsMasked(count, value) {
  const whole = range(count).map(
    (j) => `(v128.store offset=${j * V128_BYTES} ${get('address')} ${value(j)})`,
  );
  const lanes = range(count).map((j) => [
    set('lanesValue', value(j)),
    range(4).map(
      (lane) =>
        `(if (i32.gt_s ${get('valid')} (i32.const ${4 * j + lane})) (then (v128.store32_lane offset=${j * V128_BYTES + 4 * lane} ${lane} ${get('address')} ${get('lanesValue')})))`,
    ),
  ]);
  return lines(
    `(if (i32.eq ${get('valid')} (i32.const ${4 * count}))`,
    '(then',
    whole,
    ')',
    '(else',
    lanes,
    '))',
  );
}

/**
 * An internal function `$load_lanes(address, lanes) → v128`: the first `lanes` floats at
 * `address` (0 to 4; more counts as 4), zeros in the other lanes, and no byte read past them.
 * The masked tails of the filter gradient use it so they never read past a tensor's end.
 */
export const LOAD_LANES_FUNCTION = lines(
  '(func $load_lanes (param $address i32) (param $lanes i32) (result v128)',
  '(local $vector v128)',
  `(if (i32.ge_s ${get('lanes')} (i32.const 4)) (then (return (v128.load ${get('address')}))))`,
  `(if (i32.ge_s ${get('lanes')} (i32.const 1)) (then ${set('vector', `(v128.load32_zero ${get('address')})`)}))`,
  `(if (i32.ge_s ${get('lanes')} (i32.const 2)) (then ${set('vector', `(v128.load32_lane offset=4 1 ${get('address')} ${get('vector')})`)}))`,
  `(if (i32.ge_s ${get('lanes')} (i32.const 3)) (then ${set('vector', `(v128.load32_lane offset=8 2 ${get('address')} ${get('vector')})`)}))`,
  get('vector'),
  ')',
);
