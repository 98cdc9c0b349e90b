/**
 * Reader of the official IDX files (`*-images-idx3-ubyte`, `*-labels-idx1-ubyte`, optionally
 * gzipped). Layout, big-endian: magic (0x00000803 images / 0x00000801 labels), item count,
 * then rows and columns for images, then one unsigned byte per pixel or label.
 */
import { IMAGE_SIZE_PX, NUM_CLASSES, PIXELS_PER_IMAGE } from '../config/dataset';
import { IngestError } from './ingest-types';

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;
const IDX_IMAGES_HEADER_BYTES = 16;
const IDX_LABELS_HEADER_BYTES = 8;
/** Deflate cannot expand data by more than about 1032:1; bounds the allocation for a .gz. */
const DEFLATE_MAX_EXPANSION = 1032;

export type IdxKind = 'images' | 'labels';

export interface IdxContents {
  /** uint8 [count × 784] for images, [count] for labels. */
  data: Uint8Array;
  count: number;
}

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

function idxError(
  fileName: string,
  expected: string,
  found: string,
  foundPhrase = found,
): IngestError {
  return new IngestError({
    fileName,
    expected,
    found,
    message: `${fileName}: expected ${expected}, found ${foundPhrase}.`,
  });
}

function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * The file's bytes as a stream, gunzipped when the content starts with gzip's magic (1f 8b,
 * whatever the name says); `onCompressedBytes` gets the running count of file bytes read.
 */
async function openByteStream(
  file: Blob,
  onCompressedBytes: (bytesRead: number) => void,
): Promise<{ stream: ReadableStream<Uint8Array>; isGzipped: boolean }> {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  const isGzipped = isGzip(head);
  let bytesRead = 0;
  const counted = file.stream().pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytesRead += chunk.byteLength;
        onCompressedBytes(bytesRead);
        controller.enqueue(chunk);
      },
    }),
  );
  const stream = isGzipped
    ? counted.pipeThrough(
        new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>,
      )
    : counted;
  return { stream, isGzipped };
}

/**
 * Reads one IDX file into an exact-length array. Gzip is detected from the content (1f 8b),
 * not the name, and decoded with DecompressionStream.
 */
export async function readIdxFile(
  file: Blob,
  fileName: string,
  kind: IdxKind,
  onBytes: (compressedBytesRead: number, itemsRead: number) => void = () => undefined,
): Promise<IdxContents> {
  let compressedBytesRead = 0;
  const { stream, isGzipped: gzipped } = await openByteStream(file, (bytesRead) => {
    compressedBytesRead = bytesRead;
  });

  const headerBytes = kind === 'images' ? IDX_IMAGES_HEADER_BYTES : IDX_LABELS_HEADER_BYTES;
  const itemBytes = kind === 'images' ? PIXELS_PER_IMAGE : 1;
  const header = new Uint8Array(headerBytes);
  let headerFilled = 0;
  let data: Uint8Array | null = null;
  let count = 0;
  let dataBytes = 0;

  const reader = stream.getReader();
  try {
    for (;;) {
      let chunk: Uint8Array;
      try {
        const result = await reader.read();
        if (result.done) break;
        chunk = result.value;
      } catch {
        throw idxError(fileName, 'a valid gzip stream', 'corrupt or truncated gzip data');
      }
      let offset = 0;
      if (headerFilled < headerBytes) {
        const take = Math.min(headerBytes - headerFilled, chunk.length);
        header.set(chunk.subarray(0, take), headerFilled);
        headerFilled += take;
        offset = take;
        if (headerFilled < headerBytes) continue;
        count = parseHeader(header, fileName, kind);
        const neededBytes = headerBytes + count * itemBytes;
        const maxBytes = gzipped ? file.size * DEFLATE_MAX_EXPANSION : file.size;
        if (neededBytes > maxBytes) {
          throw lengthError(
            fileName,
            kind,
            count,
            itemBytes,
            gzipped ? null : file.size - headerBytes,
          );
        }
        data = new Uint8Array(count * itemBytes);
      }
      const rest = chunk.subarray(offset);
      if (data !== null && dataBytes < data.length) {
        data.set(rest.subarray(0, data.length - dataBytes), dataBytes);
      }
      dataBytes += rest.length;
      onBytes(compressedBytesRead, Math.floor(Math.min(dataBytes, count * itemBytes) / itemBytes));
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    reader.releaseLock();
  }

  if (data === null) {
    throw idxError(
      fileName,
      `an IDX ${kind} file starting with a ${headerBytes}-byte header`,
      `${headerFilled} bytes`,
      headerFilled === 0 ? 'an empty file' : `only ${plural(headerFilled, 'byte')}`,
    );
  }
  if (dataBytes !== data.length) throw lengthError(fileName, kind, count, itemBytes, dataBytes);
  if (kind === 'labels') checkLabels(fileName, data);
  return { data, count };
}

function parseHeader(header: Uint8Array, fileName: string, kind: IdxKind): number {
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const magic = view.getUint32(0);
  const expectedMagic = kind === 'images' ? IDX_IMAGES_MAGIC : IDX_LABELS_MAGIC;
  if (magic !== expectedMagic) {
    const what =
      kind === 'images'
        ? 'IDX images: unsigned bytes, 3 dimensions'
        : 'IDX labels: unsigned bytes, 1 dimension';
    throw idxError(fileName, `the magic number ${hex32(expectedMagic)} (${what})`, hex32(magic));
  }
  const count = view.getUint32(4);
  if (kind === 'images') {
    const rows = view.getUint32(8);
    const cols = view.getUint32(12);
    if (rows !== IMAGE_SIZE_PX || cols !== IMAGE_SIZE_PX) {
      throw idxError(fileName, `${IMAGE_SIZE_PX}×${IMAGE_SIZE_PX} images`, `${rows}×${cols}`);
    }
  }
  return count;
}

function lengthError(
  fileName: string,
  kind: IdxKind,
  count: number,
  itemBytes: number,
  foundDataBytes: number | null,
): IngestError {
  const expectedBytes = count * itemBytes;
  const expected = `${plural(expectedBytes, 'data byte')} after the header (${plural(count, kind === 'images' ? 'image' : 'label')} as the header says)`;
  if (foundDataBytes === null) {
    return idxError(fileName, expected, 'a gzip file too small to hold them');
  }
  return idxError(fileName, expected, String(foundDataBytes), plural(foundDataBytes, 'byte'));
}

function checkLabels(fileName: string, labels: Uint8Array): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= NUM_CLASSES) {
      throw idxError(
        fileName,
        `labels from 0 to ${NUM_CLASSES - 1}`,
        String(labels[i]),
        `${labels[i]} at item ${i + 1}`,
      );
    }
  }
}

/** Both files of a split must describe the same number of items. */
export function checkIdxCounts(
  imagesName: string,
  imageCount: number,
  labelsName: string,
  labelCount: number,
): void {
  if (imageCount === labelCount) return;
  const found = `${plural(imageCount, 'image')} in ${imagesName} and ${plural(labelCount, 'label')} in ${labelsName}`;
  throw new IngestError({
    fileName: labelsName,
    expected: 'as many labels as images',
    found,
    message: `${imagesName}, ${labelsName}: expected as many labels as images, found ${found}.`,
  });
}
