/**
 * The general CSV path: papaparse, for files the fast byte parser does not accept (quoted
 * fields, spaces or tabs around values). Rows are converted and checked here with the same
 * rules and messages as the fast path (csv-validation), into the same growable storage.
 *
 * papaparse is fed through its Node-style readable-stream input from `ReadableStream`
 * chunks we decode ourselves, instead of `Papa.parse(file)`: that one needs `FileReader`
 * (absent in Node, so the tests could not run it) and decodes byte slices one by one, which
 * can split a multi-byte character. Never `worker: true` (broken in Vite builds).
 */
import Papa from 'papaparse';
import { CSV_FIELDS_PER_ROW, PIXELS_PER_IMAGE } from '../config/dataset';
import {
  blankLineError,
  checkCsvHeader,
  emptyFileError,
  fieldCountError,
  fieldValueError,
  maxValueForField,
  noDataRowsError,
  parseFieldText,
} from './csv-validation';
import type { SplitStorage } from './split-storage';

export interface PapaparseCsvOptions {
  /**
   * papaparse's `fastMode` (split on delimiters without quote handling). `undefined` lets it
   * decide per chunk: on when the chunk has no quote character, which is the only case where
   * it is valid.
   */
  fastMode?: boolean;
  /** Called after each chunk with the bytes read so far and the data rows done. */
  onChunk?: (bytesRead: number, rows: number) => void;
}

type Listener = (arg?: unknown) => void;

/** The minimal Node-readable shape papaparse's ReadableStreamStreamer drives. */
class StringEventSource {
  readonly readable = true;
  private readonly listeners = new Map<string, Listener[]>();
  read(): void {}
  pause(): void {}
  resume(): void {}
  on(event: string, listener: Listener): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }
  removeListener(event: string, listener: Listener): void {
    this.listeners.set(
      event,
      (this.listeners.get(event) ?? []).filter((l) => l !== listener),
    );
  }
  emit(event: 'data' | 'end' | 'error', arg?: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) listener(arg);
  }
}

/** Strips spaces and tabs only: `String.prototype.trim` would also eat a CR the fast path rejects. */
function trimSpacesAndTabs(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text.charCodeAt(start) === 0x20 || text.charCodeAt(start) === 0x09))
    start++;
  while (end > start && (text.charCodeAt(end - 1) === 0x20 || text.charCodeAt(end - 1) === 0x09))
    end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** A field as the user meant it: spaces around it dropped, a quoted value unquoted. */
function cleanField(raw: string): string {
  const text = trimSpacesAndTabs(raw);
  // papaparse keeps the quotes of a field like ` "5"` (space before the quote) literally.
  if (
    text.length >= 2 &&
    text.charCodeAt(0) === 0x22 &&
    text.charCodeAt(text.length - 1) === 0x22
  ) {
    return text.slice(1, -1).replaceAll('""', '"');
  }
  return text;
}

/** Rows → storage, with the shared checks, in file order. */
class RowChecker {
  private isHeaderDone = false;
  private line = 1;
  private pendingBlankLine = 0;
  rowCount = 0;

  constructor(
    private readonly fileName: string,
    private readonly storage: SplitStorage,
  ) {}

  addRows(rows: string[][]): void {
    for (const row of rows) this.addRow(row);
  }

  private addRow(fields: string[]): void {
    const line = this.line++;
    if (!this.isHeaderDone) {
      checkCsvHeader(this.fileName, fields.map(cleanField));
      this.isHeaderDone = true;
      return;
    }
    if (fields.length === 1 && cleanField(fields[0]) === '') {
      if (this.pendingBlankLine === 0) this.pendingBlankLine = line;
      return;
    }
    if (this.pendingBlankLine !== 0) throw blankLineError(this.fileName, this.pendingBlankLine);
    const row = this.rowCount;
    if (row >= this.storage.rowCapacity) this.storage.grow();
    const { images, labels } = this.storage;
    const pixelBase = row * PIXELS_PER_IMAGE - 1;
    const checked = Math.min(fields.length, CSV_FIELDS_PER_ROW);
    for (let f = 0; f < checked; f++) {
      const text = cleanField(fields[f]);
      const value = parseFieldText(text, maxValueForField(f));
      if (value < 0) throw fieldValueError(this.fileName, line, f, text);
      if (f === 0) labels[row] = value;
      else images[pixelBase + f] = value;
    }
    if (fields.length !== CSV_FIELDS_PER_ROW)
      throw fieldCountError(this.fileName, line, fields.length);
    if (row >= this.storage.rowCapacity) {
      throw new Error(`${this.fileName}: row capacity ${this.storage.rowCapacity} exceeded`);
    }
    this.rowCount++;
  }

  finish(sawAnyText: boolean): number {
    if (!sawAnyText || !this.isHeaderDone) throw emptyFileError(this.fileName);
    if (this.rowCount === 0) throw noDataRowsError(this.fileName);
    return this.rowCount;
  }
}

/**
 * Parses a whole CSV byte stream with papaparse into `storage`; resolves to the row count.
 * Rejects with IngestError for bad input, exactly as the fast parser would.
 */
export async function parseCsvWithPapaparse(
  stream: ReadableStream<Uint8Array>,
  fileName: string,
  storage: SplitStorage,
  options: PapaparseCsvOptions = {},
): Promise<number> {
  const checker = new RowChecker(fileName, storage);
  const source = new StringEventSource();
  let failure: unknown = null;
  let isComplete = false;

  Papa.parse<string[]>(source as unknown as NodeJS.ReadableStream, {
    delimiter: ',',
    // Line ends are normalised to LF below, so mixed LF / CRLF files parse like the fast path.
    newline: '\n',
    quoteChar: '"',
    header: false,
    dynamicTyping: false,
    skipEmptyLines: false,
    fastMode: options.fastMode,
    chunk: (results, parser) => {
      if (failure !== null) return;
      try {
        checker.addRows(results.data);
      } catch (error) {
        failure = error;
        parser.abort();
      }
    },
    complete: () => {
      isComplete = true;
    },
    error: (error: Error) => {
      failure ??= error;
    },
  });

  // The default TextDecoder drops a leading UTF-8 BOM, like the fast path.
  const decoder = new TextDecoder('utf-8');
  const reader = stream.getReader();
  let bytesRead = 0;
  let sawAnyText = false;
  /** A CR that ended the previous chunk: it may be the first half of a CRLF. */
  let heldCr = '';
  const emitText = (text: string): void => {
    if (text.length === 0) return;
    sawAnyText = true;
    source.emit('data', text.replaceAll('\r\n', '\n'));
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytesRead += value.byteLength;
      let text = heldCr + decoder.decode(value, { stream: true });
      heldCr = '';
      if (text.endsWith('\r')) {
        heldCr = '\r';
        text = text.slice(0, -1);
      }
      emitText(text);
      if (failure !== null) break;
      options.onChunk?.(bytesRead, checker.rowCount);
    }
    if (failure === null) {
      emitText(heldCr + decoder.decode());
      source.emit('end');
    }
  } finally {
    if (failure !== null) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  if (failure !== null) throw failure;
  if (!isComplete) throw new Error(`${fileName}: papaparse did not complete`);
  return checker.finish(sawAnyText);
}
