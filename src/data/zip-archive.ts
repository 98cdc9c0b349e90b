/**
 * Reading a ZIP archive (Kaggle's `archive.zip`) without holding it in memory: the central
 * directory at the end of the file says which entries there are and where; only the entries
 * the caller picks are inflated, each streamed from its slice of the archive through fflate's
 * `Inflate` into a Blob. The only module that imports fflate (ESLint enforces it); the
 * directory itself is read by zip-directory.ts.
 */
import { Inflate } from 'fflate';
import { BlobBuilder } from './blob-builder';
import { MAX_UNCOMPRESSED_BYTES, tooLargeError } from './gzip-blob';
import {
  archiveError,
  LOCAL_HEADER_BYTES,
  LOCAL_SIGNATURE,
  readBytes,
  type ZipEntry,
} from './zip-directory';

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
