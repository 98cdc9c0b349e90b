/**
 * Every bad-CSV case with its exact message, the same from both paths, and a seeded property
 * test: random mutations of real rows give identical outcomes on the fast and papaparse paths.
 */
import { describe, expect, it } from 'vitest';
import { realCsvText } from '../../support/fixtures';
import { encode, runFast, runPapaparse, type Outcome } from './csv-test-helpers';

const plain = realCsvText(4);
const lines = plain.split('\n');
/** Replaces field `field` (0 = label) of file line `line` (1 = header). */
function withField(line: number, field: number, value: string): string {
  const copy = [...lines];
  const fields = copy[line - 1].split(',');
  fields[field] = value;
  copy[line - 1] = fields.join(',');
  return copy.join('\n');
}

async function expectBothError(text: string | Uint8Array, message: string, fileName = 'f.csv') {
  const bytes = typeof text === 'string' ? encode(text) : text;
  const fast = await runFast(bytes, fileName);
  const papa = await runPapaparse(bytes, fileName);
  expect(fast.kind === 'error' ? fast.details.message : fast.kind).toBe(message);
  expect(papa).toEqual(fast);
  return fast;
}

describe('bad CSV input: exact messages, same on both paths', () => {
  it('empty file and BOM-only file', async () => {
    const message =
      'f.csv: expected a text CSV file with a header and data rows, found an empty file.';
    await expectBothError('', message);
    await expectBothError('\uFEFF', message);
  });
  it('binary files', async () => {
    await expectBothError(
      Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0),
      'f.csv: expected a text CSV file with a header and data rows, found binary data (gzip signature).',
    );
    await expectBothError(
      Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 13, 10),
      'f.csv: expected a text CSV file with a header and data rows, found binary data (PNG signature).',
    );
    await expectBothError(
      encode(`label\u0000,pixel1\n`),
      'f.csv: expected a text CSV file with a header and data rows, found binary data (NUL byte at offset 5).',
    );
  });
  it('wrong header name, missing header, too few and too many header columns', async () => {
    await expectBothError(
      plain.replace('pixel3,', 'pixel4,'),
      'f.csv, line 1, column pixel3: expected the column name "pixel3", found "pixel4".',
    );
    await expectBothError(
      lines.slice(1).join('\n'),
      'f.csv, line 1, column label: expected the column name "label", found "9".',
    );
    await expectBothError(
      plain.replace(',pixel784', ''),
      'f.csv, line 1: expected a header of 785 columns (label, pixel1 … pixel784), found 784 columns.',
    );
    await expectBothError(
      plain.replace('pixel784', 'pixel784,extra'),
      'f.csv, line 1: expected a header of 785 columns (label, pixel1 … pixel784), found 786 columns.',
    );
  });
  it('rows with too few or too many fields', async () => {
    await expectBothError(
      lines.map((l, i) => (i === 2 ? l.replace(/,\d+$/, '') : l)).join('\n'),
      'f.csv, line 3: expected 785 fields (label, pixel1 … pixel784), found 784 fields.',
    );
    await expectBothError(
      lines.map((l, i) => (i === 3 ? `${l},0,7` : l)).join('\n'),
      'f.csv, line 4: expected 785 fields (label, pixel1 … pixel784), found 787 fields.',
    );
  });
  it('bad values', async () => {
    const cases: Array<[number, number, string, string]> = [
      [
        5,
        37,
        '256',
        'f.csv, line 5, column pixel37: expected an integer from 0 to 255, found "256".',
      ],
      [
        2,
        1,
        '3.5',
        'f.csv, line 2, column pixel1: expected an integer from 0 to 255, found "3.5" (not an integer).',
      ],
      [
        3,
        784,
        'abc',
        'f.csv, line 3, column pixel784: expected an integer from 0 to 255, found "abc" (not an integer).',
      ],
      [4, 9, '-1', 'f.csv, line 4, column pixel9: expected an integer from 0 to 255, found "-1".'],
      [2, 0, '10', 'f.csv, line 2, column label: expected an integer from 0 to 9, found "10".'],
      [
        3,
        100,
        '',
        'f.csv, line 3, column pixel100: expected an integer from 0 to 255, found an empty field.',
      ],
    ];
    for (const [line, field, value, message] of cases) {
      await expectBothError(withField(line, field, value), message);
    }
  });
  it('a blank line mid-file is an error; blank lines at the end are not', async () => {
    const copy = [...lines];
    copy.splice(2, 0, '');
    await expectBothError(
      copy.join('\n'),
      'f.csv, line 3: expected a data row (blank lines are allowed only at the end of the file), found an empty line.',
    );
    expect((await runFast(encode(`${plain}\n\n`))).kind).toBe('ok');
  });
  it('header without rows', async () => {
    const message = 'f.csv: expected at least one data row after the header, found none.';
    await expectBothError(`${lines[0]}\n`, message);
    await expectBothError(lines[0], message);
    await expectBothError(`${lines[0]}\r\n\r\n`, message);
  });
});

/** Small seeded generator (mulberry32), so a failing case can be replayed from its seed. */
function createRandom(seed: number): { int(n: number): number; pick<T>(items: readonly T[]): T } {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (n) => Math.floor(next() * n),
    pick: (items) => items[Math.floor(next() * items.length)],
  };
}

const BAD_VALUES = [
  '256',
  '10',
  '-1',
  '3.5',
  'abc',
  '',
  '1e2',
  '0x1',
  '999999',
  '\r',
  '9\r',
  'é',
  '00',
  '007',
  '255',
  '9',
  '+5',
];

function mutate(seed: number): string {
  const random = createRandom(seed);
  const rows = realCsvText(6)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(','));
  const mutations = random.int(4);
  for (let m = 0; m < mutations; m++) {
    const row = rows[random.int(rows.length)];
    switch (random.int(6)) {
      case 0:
        row[random.int(row.length)] = random.pick(BAD_VALUES);
        break;
      case 1:
        row.length = random.int(row.length);
        break;
      case 2:
        row.push(random.pick(BAD_VALUES));
        break;
      case 3:
        rows.splice(random.int(rows.length), 0, []);
        break;
      case 4:
        rows.splice(1 + random.int(rows.length - 1), 1);
        break;
      default:
        row[random.int(row.length)] += random.pick(['x', '.', '\r', '5']);
    }
  }
  const newline = random.pick(['\n', '\r\n']);
  let text = rows.map((r) => r.join(',')).join(newline);
  if (random.int(2) === 0) text += newline;
  if (random.int(3) === 0) text = `\uFEFF${text}`;
  return text;
}

describe('property: fast path and papaparse agree on mutated real rows', () => {
  it('600 seeded random files give identical arrays or identical error details', async () => {
    const kinds = new Map<string, number>();
    for (let seed = 1; seed <= 600; seed++) {
      const bytes = encode(mutate(seed));
      const chunkSize = createRandom(seed * 7).pick([1, 13, 4096, 65536]);
      const fast: Outcome = await runFast(bytes, 'p.csv', chunkSize);
      const papa: Outcome = await runPapaparse(bytes, 'p.csv', 4096);
      expect(fast.kind, `seed ${seed}`).not.toBe('fallback');
      expect(papa, `seed ${seed}`).toEqual(fast);
      kinds.set(fast.kind, (kinds.get(fast.kind) ?? 0) + 1);
    }
    // The generator must exercise both outcomes, or the comparison proves little.
    expect(kinds.get('ok') ?? 0).toBeGreaterThan(50);
    expect(kinds.get('error') ?? 0).toBeGreaterThan(200);
  });
});
