/**
 * A gzipped file (`fashion-mnist_train.csv.gz`) as the Blob of its uncompressed bytes, so the
 * CSV readers (which sniff the head, size their output from the length and may read the file
 * twice) run on it unchanged. Decoded as a stream by the platform's DecompressionStream.
 */
import { BlobBuilder } from './blob-builder';
import { IngestError } from './ingest-types';

/**
 * Largest uncompressed dataset file accepted from a .gz or a ZIP entry, in bytes: four times
 * the real training CSV (133 MB), so a decompression bomb stops long before memory runs out.
 */
export const MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024;

/** Whether `head` starts with gzip's magic bytes (1f 8b). */
export function isGzipHead(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

export function tooLargeError(fileName: string, what: string): IngestError {
  const limit = `${MAX_UNCOMPRESSED_BYTES / 1024 / 1024} MB`;
  return new IngestError({
    fileName,
    expected: `at most ${limit} of uncompressed data`,
    found: what,
    message: `${fileName}: expected at most ${limit} of uncompressed data (the training CSV is 133 MB), found ${what}.`,
  });
}

/** The uncompressed content of a gzip file; IngestError naming `fileName` when it is damaged. */
export async function gunzipToBlob(file: Blob, fileName: string): Promise<Blob> {
  const reader = file
    .stream()
    .pipeThrough(
      new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>,
    )
    .getReader();
  const output = new BlobBuilder();
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch {
        throw new IngestError({
          fileName,
          expected: 'a valid gzip stream',
          found: 'corrupt or truncated gzip data',
          message: `${fileName}: expected a valid gzip stream, found corrupt or truncated gzip data.`,
        });
      }
      if (result.done) break;
      output.add(result.value);
      if (output.size > MAX_UNCOMPRESSED_BYTES) throw tooLargeError(fileName, 'more than that');
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    reader.releaseLock();
  }
  return output.finish();
}
