/**
 * The directory of a ZIP archive (Kaggle's `archive.zip`): which entries there are and where,
 * read from the end of the file without inflating anything. Apart from zip-archive.ts (which
 * inflates entries with fflate) so that the page can list an archive's files on its own
 * thread, to plan a drop, without loading the inflater.
 *
 * Layout (PKWARE APPNOTE 4.3): local file header + data per entry, then the central directory
 * (one record per entry), then the end-of-central-directory record (EOCD), all little-endian.
 */
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
export const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_BYTES = 22;
/** The EOCD ends with a comment of at most 65,535 bytes. */
const EOCD_SEARCH_BYTES = EOCD_BYTES + 0xffff;
const CENTRAL_RECORD_BYTES = 46;
export const LOCAL_HEADER_BYTES = 30;
/** Sizes and offsets of 0xffffffff mean "see the ZIP64 extra field". */
const ZIP64_MARKER = 0xffffffff;

export function archiveError(archiveName: string, expected: string, found: string): IngestError {
  return new IngestError({
    fileName: archiveName,
    expected,
    found,
    message: `${archiveName}: expected ${expected}, found ${found}.`,
  });
}

export async function readBytes(blob: Blob, start: number, end: number): Promise<Uint8Array> {
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
