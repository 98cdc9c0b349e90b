/**
 * The fast CSV path: a byte-level state machine that writes label and pixel values straight
 * into the split's Uint8Arrays, growing them a step at a time (split-storage). It accepts exactly the plain layout the Kaggle files use
 * (digits, commas, LF or CRLF line ends, an optional UTF-8 BOM, an optional final newline).
 * On a quote, space or tab it gives up with 'fallback' and the caller hands the whole file to
 * papaparse; every other problem is reported through the shared builders in csv-validation.
 *
 * The state survives chunk boundaries, so chunks may split a field, a CRLF or the BOM anywhere.
 */
import { CSV_FIELDS_PER_ROW, PIXELS_PER_IMAGE } from '../config/dataset';
import {
  blankLineError,
  checkCsvHeader,
  emptyFileError,
  fieldCountError,
  fieldValueError,
  noDataRowsError,
} from './csv-validation';
import type { IngestError } from './ingest-types';
import type { SplitStorage } from './split-storage';

const LF = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const SPACE = 0x20;
const TAB = 0x09;
const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;
const LARGEST_LABEL = 9;
const LARGEST_PIXEL = 255;

/** 'fallback': the input needs a real CSV parser (quotes or whitespace); stop feeding. */
export type FastCsvStep = 'continue' | 'fallback';

export interface FastCsvParser {
  /** Feeds the next bytes of the file; throws IngestError on bad input. */
  push(chunk: Uint8Array): FastCsvStep;
  /** Ends the input; returns the number of data rows written to the storage. */
  finish(): number;
  /** Data rows completed so far. */
  readonly rowCount: number;
}

type Phase = 'bom' | 'header' | 'rows';

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b.slice();
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function isFallbackByte(byte: number): boolean {
  return byte === QUOTE || byte === SPACE || byte === TAB;
}

export function createFastCsvParser(fileName: string, storage: SplitStorage): FastCsvParser {
  return new ByteCsvParser(fileName, storage);
}

class ByteCsvParser implements FastCsvParser {
  private phase: Phase = 'bom';
  private readonly decoder = new TextDecoder('utf-8');
  private bomHeld: Uint8Array = new Uint8Array(0);
  private headerBytes: Uint8Array = new Uint8Array(0);

  // Row state, copied into locals inside the hot loop.
  private line = 2;
  private row = 0;
  private field = 0;
  private value = 0;
  private digits = 0;
  /** Bytes of the field in progress that arrived in earlier chunks (for error text only). */
  private carry: Uint8Array = new Uint8Array(0);
  /** The previous chunk ended with CR; whether it ends the line depends on the next byte. */
  private pendingCr = false;
  /** Inside a field already known to be bad: reading to its end for the message. */
  private capturing = false;
  /** First blank line not yet followed by data (0: none); blank lines are fine only at EOF. */
  private pendingBlankLine = 0;

  constructor(
    private readonly fileName: string,
    private readonly storage: SplitStorage,
  ) {}

  get rowCount(): number {
    return this.row;
  }

  push(chunk: Uint8Array): FastCsvStep {
    if (chunk.length === 0) return 'continue';
    if (this.phase === 'bom') {
      const held = concatBytes(this.bomHeld, chunk);
      if (
        held.length < UTF8_BOM.length &&
        UTF8_BOM.slice(0, held.length).every((b, i) => held[i] === b)
      ) {
        this.bomHeld = held;
        return 'continue';
      }
      this.bomHeld = new Uint8Array(0);
      this.phase = 'header';
      const hasBom = UTF8_BOM.every((b, i) => held[i] === b);
      return this.pushHeader(hasBom ? held.subarray(UTF8_BOM.length) : held);
    }
    if (this.phase === 'header') return this.pushHeader(chunk);
    return this.pushRows(chunk, 0);
  }

  private pushHeader(bytes: Uint8Array): FastCsvStep {
    const end = bytes.indexOf(LF);
    const part = end === -1 ? bytes : bytes.subarray(0, end);
    for (let i = 0; i < part.length; i++) if (isFallbackByte(part[i])) return 'fallback';
    this.headerBytes = concatBytes(this.headerBytes, part);
    if (end === -1) return 'continue';
    this.checkHeader(true);
    this.phase = 'rows';
    return this.pushRows(bytes, end + 1);
  }

  private checkHeader(endedByLf: boolean): void {
    let bytes = this.headerBytes;
    // CR right before LF belongs to the line end, not to the last column name.
    if (endedByLf && bytes.length > 0 && bytes[bytes.length - 1] === CR) {
      bytes = bytes.subarray(0, bytes.length - 1);
    }
    checkCsvHeader(this.fileName, this.decoder.decode(bytes).split(','));
    this.headerBytes = new Uint8Array(0);
  }

  /**
   * Carries on what the previous chunk left open at its end: a CR whose LF may start this
   * chunk, or a bad field being captured for its message. Null when nothing was open.
   */
  private resumeAtChunkStart(bytes: Uint8Array, i: number): FastCsvStep | null {
    if (this.pendingCr) {
      this.pendingCr = false;
      // A lone CR (not followed by LF) is an ordinary, bad character of the field.
      if (bytes[i] !== LF && this.field < CSV_FIELDS_PER_ROW) this.capturing = true;
    }
    // captureBadField returns 'continue' only when this chunk ran out too.
    return this.capturing ? this.captureBadField(bytes, i, -1) : null;
  }

  /** The error for a field that is not a label 0–9 or a pixel 0–255. */
  private badValue(field: number, text: string): IngestError {
    return this.fail(fieldValueError(this.fileName, this.line, field, text));
  }

  /** Grows the arrays once row `row` is reached; the new row capacity. */
  private growFor(row: number, rowCapacity: number): number {
    if (row > rowCapacity)
      throw new Error(`${this.fileName}: row capacity ${rowCapacity} exceeded`);
    return this.storage.grow();
  }

  /** The hot loop: one pass over the bytes, integers accumulated from byte codes. */
  private pushRows(bytes: Uint8Array, start: number): FastCsvStep {
    const n = bytes.length;
    let i = start;
    if (i >= n) return 'continue';
    const resumed = this.resumeAtChunkStart(bytes, i);
    if (resumed !== null) return resumed;

    const storage = this.storage;
    let labels = storage.labels;
    let images = storage.images;
    let rowCapacity = storage.rowCapacity;
    let { field, value, digits, row } = this;
    let pixelBase = row * PIXELS_PER_IMAGE - 1;
    /** -1: the field began before this chunk (its earlier bytes are in `carry`). */
    let fieldStart = this.carry.length === 0 ? start : -1;

    for (; i < n; i++) {
      const byte = bytes[i];
      const digit = byte - 48;
      if (digit >>> 0 < 10) {
        value = value * 10 + digit;
        digits++;
        continue;
      }
      if (byte === COMMA || byte === LF) {
        if (field < CSV_FIELDS_PER_ROW) {
          if (digits === 0 && field === 0 && byte === LF) {
            this.skipBlankLine();
            fieldStart = i + 1;
            continue;
          }
          if (digits === 0 || value > (field === 0 ? LARGEST_LABEL : LARGEST_PIXEL)) {
            this.syncState(field, value, digits, row);
            throw this.badValue(field, this.fieldText(bytes, fieldStart, i, byte === LF));
          }
          if (field === 0) labels[row] = value;
          else images[pixelBase + field] = value;
        }
        field++;
        value = 0;
        digits = 0;
        fieldStart = i + 1;
        if (byte === LF) {
          if (field !== CSV_FIELDS_PER_ROW || this.pendingBlankLine !== 0) {
            this.syncState(field, value, digits, row);
            throw this.fail(fieldCountError(this.fileName, this.line, field));
          }
          row++;
          if (row >= rowCapacity) {
            // Writes past the capacity are dropped by the typed array, so the bound is checked
            // before the next row's first write, and the views are re-read after growing.
            rowCapacity = this.growFor(row, rowCapacity);
            labels = storage.labels;
            images = storage.images;
          }
          pixelBase += PIXELS_PER_IMAGE;
          field = 0;
          this.line++;
        }
        continue;
      }
      if (byte === CR && i + 1 === n) {
        this.pendingCr = true;
        continue;
      }
      if (byte === CR && bytes[i + 1] === LF) continue;
      if (byte !== CR && isFallbackByte(byte)) return 'fallback';
      // Any other byte: the field is bad (values of surplus fields are not checked).
      if (field >= CSV_FIELDS_PER_ROW) continue;
      this.syncState(field, value, digits, row);
      return this.captureBadField(bytes, i, fieldStart);
    }

    this.syncState(field, value, digits, row);
    this.carry =
      fieldStart === -1 ? concatBytes(this.carry, bytes.subarray(start)) : bytes.slice(fieldStart);
    return 'continue';
  }

  /** An empty line: fine at the end of the file, an error if data follows it. */
  private skipBlankLine(): void {
    if (this.pendingBlankLine === 0) this.pendingBlankLine = this.line;
    this.line++;
    this.carry = new Uint8Array(0);
  }

  private syncState(field: number, value: number, digits: number, row: number): void {
    this.field = field;
    this.value = value;
    this.digits = digits;
    this.row = row;
  }

  /** Text of the field in progress, ending before `end`, for a message. */
  private fieldText(
    bytes: Uint8Array,
    fieldStart: number,
    end: number,
    endedByLf: boolean,
  ): string {
    let text =
      fieldStart === -1
        ? concatBytes(this.carry, bytes.subarray(0, end))
        : bytes.subarray(fieldStart, end);
    if (endedByLf && text.length > 0 && text[text.length - 1] === CR) {
      text = text.subarray(0, text.length - 1);
    }
    return this.decoder.decode(text);
  }

  /**
   * Reads the rest of a bad field (from `from`) so the message can quote it. A quote, space or
   * tab inside it still means papaparse must decide, so that path gives the same message.
   */
  private captureBadField(bytes: Uint8Array, from: number, fieldStart: number): FastCsvStep {
    const n = bytes.length;
    for (let i = from; i < n; i++) {
      const byte = bytes[i];
      if (isFallbackByte(byte)) return 'fallback';
      if (byte === CR && i + 1 === n) {
        this.pendingCr = true;
        break;
      }
      if (byte === COMMA || byte === LF) {
        throw this.fail(
          fieldValueError(
            this.fileName,
            this.line,
            this.field,
            this.fieldText(bytes, fieldStart, i, byte === LF),
          ),
        );
      }
    }
    this.capturing = true;
    this.carry = fieldStart === -1 ? concatBytes(this.carry, bytes) : bytes.slice(fieldStart);
    return 'continue';
  }

  /** Errors after an unreported blank line are reported as that blank line. */
  private fail(error: IngestError): IngestError {
    return this.pendingBlankLine !== 0
      ? blankLineError(this.fileName, this.pendingBlankLine)
      : error;
  }

  finish(): number {
    if (this.phase === 'bom') {
      this.phase = 'header';
      if (this.bomHeld.length > 0) {
        const rest = UTF8_BOM.every((b, i) => this.bomHeld[i] === b)
          ? this.bomHeld.subarray(UTF8_BOM.length)
          : this.bomHeld;
        if (this.pushHeader(rest) === 'fallback')
          throw new Error('unreachable: BOM bytes are not fallback bytes');
      }
    }
    if (this.phase === 'header') {
      // No newline at all: a lone header, or nothing but (at most) a BOM.
      if (this.headerBytes.length === 0) throw emptyFileError(this.fileName);
      this.checkHeader(false);
      throw noDataRowsError(this.fileName);
    }
    // Rows: the last line may lack its newline.
    if (this.pendingCr) {
      this.pendingCr = false;
      if (this.field < CSV_FIELDS_PER_ROW) this.capturing = true;
    }
    if (this.capturing) {
      throw this.fail(
        fieldValueError(this.fileName, this.line, this.field, this.decoder.decode(this.carry)),
      );
    }
    const isBlankLastLine = this.field === 0 && this.digits === 0;
    if (!isBlankLastLine) {
      // End the last line as if a newline followed.
      const step = this.pushRows(Uint8Array.of(LF), 0);
      if (step !== 'continue') throw new Error('unreachable: LF never falls back');
    }
    if (this.row === 0) throw noDataRowsError(this.fileName);
    return this.row;
  }
}
