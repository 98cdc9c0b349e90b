/**
 * Reading a ZIP archive (Kaggle's `archive.zip`) without holding it in memory: the central
 * directory at the end of the file says which entries there are and where; only the entries
 * the caller picks are inflated, each streamed from its slice of the archive through fflate's
 * `Inflate` into a Blob. The only module that imports fflate (ESLint enforces it).
 *
 * Layout (PKWARE APPNOTE 4.3): local file header + data per entry, then the central directory
 * (one record per entry), then the end-of-central-directory record (EOCD), all little-endian.
 */
import { Inflate } from 'fflate';
import { BlobBuilder } from './blob-builder';
import { MAX_UNCOMPRESSED_BYTES, tooLargeError } from './gzip-blob';
import { IngestError } from './ingest-types';

/** One file of an archive, as its central directory describes it. */
export interface ZipEntry {
  /** Path inside the archive, '/'-separated (`fashion-mnist/fashion-mnist_train.csv`). */
  path: string;
  /** 0 stored, 8 deflate; any other is refused when the entry is read. */
  method: number;
  isEncrypted: boolean;
  compressedBytes: number;
  uncompressedBytes: number;
  crc32: number;
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_BYTES = 22;
/** The EOCD ends with a comment of at most 65,535 bytes. */
const EOCD_SEARCH_BYTES = EOCD_BYTES + 0xffff;
const CENTRAL_RECORD_BYTES = 46;
const LOCAL_HEADER_BYTES = 30;
/** Sizes and offsets of 0xffffffff mean "see the ZIP64 extra field". */
const ZIP64_MARKER = 0xffffffff;

function archiveError(archiveName: string, expected: string, found: string): IngestError {
  return new IngestError({
    fileName: archiveName,
    expected,
    found,
    message: `${archiveName}: expected ${expected}, found ${found}.`,
  });
}

async function readBytes(blob: Blob, start: number, end: number): Promise<Uint8Array> {
  return new Uint8Array(await blob.slice(start, end).arrayBuffer());
}

/** Every entry of the archive's central directory (directories left out), in archive order. */
export async function listZipEntries(archive: Blob, archiveName: string): Promise<ZipEntry[]> {
  const tailStart = Math.max(0, archive.size - EOCD_SEARCH_BYTES);
  const tail = await readBytes(archive, tailStart, archive.size);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tail.length - EOCD_BYTES; i >= 0; i--) {
    if (view.getUint32(i, true) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  const notZip = 'a ZIP archive (its directory of files at the end of the file)';
  if (eocd < 0) {
    const head = await readBytes(archive, 0, 4);
    const startsLikeZip = head.length === 4 && new DataView(head.buffer).getUint32(0, true);
    throw archiveError(
      archiveName,
      notZip,
      startsLikeZip === LOCAL_SIGNATURE
        ? 'a damaged or truncated ZIP file (its directory is missing)'
        : 'a file that is not a ZIP archive',
    );
  }
  const entryCount = view.getUint16(eocd + 10, true);
  const directoryBytes = view.getUint32(eocd + 12, true);
  const directoryOffset = view.getUint32(eocd + 16, true);
  if (directoryOffset === ZIP64_MARKER || entryCount === 0xffff) {
    throw archiveError(archiveName, 'a ZIP archive under 4 GB', 'a ZIP64 archive');
  }
  if (directoryOffset + directoryBytes > tailStart + eocd) {
    throw archiveError(archiveName, notZip, 'a damaged or truncated ZIP file');
  }
  const directory = await readBytes(archive, directoryOffset, directoryOffset + directoryBytes);
  return parseCentralDirectory(directory, entryCount, archiveName);
}

function parseCentralDirectory(
  directory: Uint8Array,
  entryCount: number,
  archiveName: string,
): ZipEntry[] {
  const view = new DataView(directory.buffer, directory.byteOffset, directory.byteLength);
  const decoder = new TextDecoder();
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let n = 0; n < entryCount; n++) {
    if (
      at + CENTRAL_RECORD_BYTES > directory.length ||
      view.getUint32(at, true) !== CENTRAL_SIGNATURE
    ) {
      throw archiveError(archiveName, 'a readable ZIP directory', 'a damaged ZIP file');
    }
    const nameBytes = view.getUint16(at + 28, true);
    const extraBytes = view.getUint16(at + 30, true);
    const commentBytes = view.getUint16(at + 32, true);
    const nameStart = at + CENTRAL_RECORD_BYTES;
    const path = decoder.decode(directory.subarray(nameStart, nameStart + nameBytes));
    const entry: ZipEntry = {
      path,
      method: view.getUint16(at + 10, true),
      isEncrypted: (view.getUint16(at + 8, true) & 1) === 1,
      crc32: view.getUint32(at + 16, true),
      compressedBytes: view.getUint32(at + 20, true),
      uncompressedBytes: view.getUint32(at + 24, true),
      localHeaderOffset: view.getUint32(at + 42, true),
    };
    if (
      entry.compressedBytes === ZIP64_MARKER ||
      entry.uncompressedBytes === ZIP64_MARKER ||
      entry.localHeaderOffset === ZIP64_MARKER
    ) {
      throw archiveError(archiveName, 'a ZIP archive under 4 GB', 'a ZIP64 archive');
    }
    if (!path.endsWith('/')) entries.push(entry);
    at = nameStart + nameBytes + extraBytes + commentBytes;
  }
  return entries;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE) of `bytes`, continuing from `crc` (0 to start). */
export function updateCrc32(crc: number, bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const table = crcTable;
  let c = ~crc;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * The uncompressed bytes of one entry as a Blob, checked against the directory's size and
 * CRC-32. `onBytes` gets the count of archive bytes read so far for this entry.
 */
export async function readZipEntry(
  archive: Blob,
  archiveName: string,
  entry: ZipEntry,
  onBytes: (compressedBytesRead: number) => void = () => undefined,
): Promise<Blob> {
  const where = `${archiveName}/${entry.path}`;
  if (entry.isEncrypted) {
    throw archiveError(where, 'an unencrypted file', 'a password-protected entry');
  }
  if (entry.uncompressedBytes > MAX_UNCOMPRESSED_BYTES) {
    throw tooLargeError(where, `${entry.uncompressedBytes.toLocaleString('en-US')} bytes`);
  }
  if (entry.method !== 0 && entry.method !== 8) {
    throw archiveError(
      where,
      'a stored or deflated file',
      `compression method ${entry.method}, which this app cannot read`,
    );
  }
  const local = await readBytes(
    archive,
    entry.localHeaderOffset,
    entry.localHeaderOffset + LOCAL_HEADER_BYTES,
  );
  const view = new DataView(local.buffer, local.byteOffset, local.byteLength);
  if (local.length < LOCAL_HEADER_BYTES || view.getUint32(0, true) !== LOCAL_SIGNATURE) {
    throw archiveError(where, 'a ZIP entry header', 'damaged data');
  }
  const dataStart =
    entry.localHeaderOffset +
    LOCAL_HEADER_BYTES +
    view.getUint16(26, true) +
    view.getUint16(28, true);
  const dataEnd = dataStart + entry.compressedBytes;
  if (dataEnd > archive.size) {
    throw archiveError(where, `${entry.compressedBytes} bytes of data`, 'a truncated archive');
  }
  return inflateSlice(archive.slice(dataStart, dataEnd), where, entry, onBytes);
}

async function inflateSlice(
  slice: Blob,
  where: string,
  entry: ZipEntry,
  onBytes: (compressedBytesRead: number) => void,
): Promise<Blob> {
  const output = new BlobBuilder();
  let crc = 0;
  let inflateError: unknown = null;
  const take = (chunk: Uint8Array) => {
    crc = updateCrc32(crc, chunk);
    output.add(chunk);
  };
  const inflater = entry.method === 8 ? new Inflate((chunk) => take(chunk)) : null;
  const reader = slice.stream().getReader();
  let read = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      read += value.length;
      onBytes(read);
      if (inflater) inflater.push(value, false);
      else take(value);
      if (output.size > entry.uncompressedBytes) break;
    }
    inflater?.push(new Uint8Array(0), true);
  } catch (error) {
    inflateError = error;
    await reader.cancel().catch(() => undefined);
  } finally {
    reader.releaseLock();
  }
  if (inflateError !== null || output.size !== entry.uncompressedBytes) {
    throw archiveError(
      where,
      `${entry.uncompressedBytes.toLocaleString('en-US')} bytes of valid compressed data`,
      inflateError !== null ? 'damaged compressed data' : `${output.size} bytes`,
    );
  }
  if (crc !== entry.crc32) {
    throw archiveError(where, 'data matching its checksum (CRC-32)', 'damaged data');
  }
  return output.finish();
}
