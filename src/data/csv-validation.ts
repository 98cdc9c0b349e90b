/**
 * The one home of every CSV rule and message. Both CSV paths (the byte-level fast parser and
 * the papaparse loader) call these builders, so the same bad input gives the same
 * IngestErrorDetails whichever path read it.
 */
import { CSV_COLUMNS, CSV_FIELDS_PER_ROW, MAX_PIXEL_VALUE, NUM_CLASSES } from '../config/dataset';
import { IngestError, type IngestErrorDetails } from './ingest-types';

/**
 * Shortest possible valid data row, in bytes: 785 one-digit fields, 784 commas and a newline.
 * It bounds the row count from the file size before reading.
 */
export const CSV_MIN_DATA_ROW_BYTES = CSV_FIELDS_PER_ROW * 2;
/** Bytes of a file looked at to tell text from binary (signatures, NUL bytes). */
export const CSV_SNIFF_BYTES = 4096;
/** Longest `found` text quoted back to the user, in characters. */
const FOUND_TEXT_MAX_CHARS = 24;

const LARGEST_LABEL = NUM_CLASSES - 1;
const HEADER_LAYOUT = `${CSV_FIELDS_PER_ROW} columns (label, pixel1 … pixel${CSV_FIELDS_PER_ROW - 1})`;
const ROW_LAYOUT = `${CSV_FIELDS_PER_ROW} fields (label, pixel1 … pixel${CSV_FIELDS_PER_ROW - 1})`;

/** Largest allowed value of field `fieldIndex` (0 = label). */
export function maxValueForField(fieldIndex: number): number {
  return fieldIndex === 0 ? LARGEST_LABEL : MAX_PIXEL_VALUE;
}

/** Upper bound on the data rows a CSV of `fileBytes` bytes can hold when it is valid. */
export function csvRowCapacity(fileBytes: number): number {
  return Math.floor(fileBytes / CSV_MIN_DATA_ROW_BYTES) + 1;
}

/**
 * Value of a field given as text, or -1 when it is not a plain unsigned integer ≤ max.
 * This is the papaparse path's counterpart of the fast parser's byte loop; the accepted
 * language is the same: one or more ASCII digits, nothing else.
 */
export function parseFieldText(text: string, max: number): number {
  const length = text.length;
  if (length === 0) return -1;
  let value = 0;
  for (let i = 0; i < length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value > max ? -1 : value;
}

/** Shortened, quoted form of a bad value for the message (control characters escaped). */
function shorten(text: string): string {
  return text.length > FOUND_TEXT_MAX_CHARS ? `${text.slice(0, FOUND_TEXT_MAX_CHARS)}…` : text;
}

function quoteFound(text: string): string {
  return JSON.stringify(shorten(text));
}

function where(fileName: string, line?: number, column?: string): string {
  return [fileName, line === undefined ? '' : `line ${line}`, column ? `column ${column}` : '']
    .filter((part) => part !== '')
    .join(', ');
}

function ingestError(
  parts: Omit<IngestErrorDetails, 'message'>,
  foundPhrase: string | undefined,
): IngestError {
  const found = foundPhrase === undefined ? '' : `, found ${foundPhrase}`;
  const message = `${where(parts.fileName, parts.line, parts.column)}: expected ${parts.expected}${found}.`;
  return new IngestError({ ...parts, message });
}

/** Rejects an empty file and non-text files, from the first CSV_SNIFF_BYTES bytes. */
export function checkLooksLikeText(fileName: string, fileBytes: number, head: Uint8Array): void {
  const expected = 'a text CSV file with a header and data rows';
  if (fileBytes === 0) throw ingestError({ fileName, expected, found: '' }, 'an empty file');
  const signature = binarySignature(head);
  if (signature) {
    throw ingestError({ fileName, expected, found: signature }, `binary data (${signature})`);
  }
}

/** Leading bytes of binary formats people drop by mistake, and what to call each. */
const BINARY_SIGNATURES: readonly { bytes: readonly number[]; name: string }[] = [
  { bytes: [0x1f, 0x8b], name: 'gzip signature' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], name: 'PNG signature' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], name: 'ZIP signature' },
];

function binarySignature(head: Uint8Array): string | null {
  const known = BINARY_SIGNATURES.find(
    ({ bytes }) => head.length >= bytes.length && bytes.every((byte, i) => head[i] === byte),
  );
  if (known) return known.name;
  // IDX files start with two zero bytes, and real text never holds NUL.
  const nul = head.indexOf(0);
  return nul === -1 ? null : `NUL byte at offset ${nul}`;
}

/** Thrown when the file has no bytes after an optional UTF-8 byte-order mark. */
export function emptyFileError(fileName: string): IngestError {
  return ingestError(
    { fileName, expected: 'a text CSV file with a header and data rows', found: '' },
    'an empty file',
  );
}

/** Checks the header fields (already split, unquoted and trimmed by the caller). */
export function checkCsvHeader(fileName: string, fields: readonly string[]): void {
  const shared = Math.min(fields.length, CSV_FIELDS_PER_ROW);
  for (let i = 0; i < shared; i++) {
    const name = CSV_COLUMNS[i];
    if (fields[i] !== name) {
      const found = fields[i];
      throw ingestError(
        {
          fileName,
          line: 1,
          column: name,
          expected: `the column name "${name}"`,
          found: shorten(found),
        },
        found === '' ? 'an empty name' : quoteFound(found),
      );
    }
  }
  if (fields.length !== CSV_FIELDS_PER_ROW) {
    const found = String(fields.length);
    throw ingestError(
      { fileName, line: 1, expected: `a header of ${HEADER_LAYOUT}`, found },
      `${found} column${fields.length === 1 ? '' : 's'}`,
    );
  }
}

/** A field that is not a plain integer in range; `text` is the raw field. */
export function fieldValueError(
  fileName: string,
  line: number,
  fieldIndex: number,
  text: string,
): IngestError {
  const max = maxValueForField(fieldIndex);
  const expected = `an integer from 0 to ${max}`;
  const column = CSV_COLUMNS[fieldIndex];
  const base = { fileName, line, column, expected, found: shorten(text) };
  if (text === '') return ingestError(base, 'an empty field');
  // A signed or over-long digit string is an integer, just not one we accept.
  const isInteger = /^-?[0-9]+$/.test(text);
  return ingestError(base, isInteger ? quoteFound(text) : `${quoteFound(text)} (not an integer)`);
}

/** A data row with the wrong number of fields. */
export function fieldCountError(fileName: string, line: number, fieldCount: number): IngestError {
  const found = String(fieldCount);
  return ingestError(
    { fileName, line, expected: ROW_LAYOUT, found },
    `${found} field${fieldCount === 1 ? '' : 's'}`,
  );
}

/** A blank line followed by more data. Blank lines are allowed only at the end of the file. */
export function blankLineError(fileName: string, line: number): IngestError {
  return ingestError(
    {
      fileName,
      line,
      expected: 'a data row (blank lines are allowed only at the end of the file)',
      found: '',
    },
    'an empty line',
  );
}

/** A header and nothing after it. */
export function noDataRowsError(fileName: string): IngestError {
  return ingestError(
    { fileName, expected: 'at least one data row after the header', found: '' },
    'none',
  );
}
