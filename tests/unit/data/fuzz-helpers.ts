/**
 * The seeded mutation fuzzer's parts shared by the loader and model-upload fuzz tests: byte
 * edits of a real file, and a time bound per case (a case that does not settle is a hang).
 */
import fc from 'fast-check';

/** Longest one case may take before it counts as a hang (a loaded 2-core machine is slow). */
export const CASE_BOUND_MS = 10_000;

/** One edit of a file's bytes; positions wrap around the file's length. */
export type Mutation =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'truncate'; at: number };

const TEXT_PIECES = [
  '"',
  ' ',
  '\r',
  '\n',
  ',',
  '-1',
  '256',
  '\uFEFF',
  'é',
  '\t',
  '"5"',
  ',,',
  '\0',
];

export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 64 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 16 }),
      fc.constantFrom(...TEXT_PIECES).map((t) => new TextEncoder().encode(t)),
    ),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

/** `bytes` with each mutation applied in turn; `headBias` aims half the edits at the start. */
export function mutate(bytes: Uint8Array, mutations: Mutation[], headBias = 0): Uint8Array {
  let out: Uint8Array = bytes.slice();
  mutations.forEach((m, i) => {
    const span = headBias > 0 && i % 2 === 0 ? Math.min(headBias, out.length) : out.length;
    const at = span === 0 ? 0 : m.at % span;
    if (m.kind === 'set' && out.length > 0) out[at] = m.value;
    else if (m.kind === 'delete') out = concat(out.subarray(0, at), out.subarray(at + m.length));
    else if (m.kind === 'insert') out = concat(out.subarray(0, at), m.bytes, out.subarray(at));
    else if (m.kind === 'truncate') out = out.slice(0, at);
  });
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** The promise's outcome, or a failure when it takes longer than the bound. */
export async function withinBound<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not settle within ${CASE_BOUND_MS} ms`)),
      CASE_BOUND_MS,
    );
  });
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}
