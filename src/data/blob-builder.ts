/**
 * Collects streamed chunks (inflated ZIP entries, gunzipped files) into one Blob, folding them
 * into it every few megabytes: the browser keeps Blob bytes outside the JavaScript heap, so a
 * 133 MB CSV never sits in the heap as an array of chunks.
 */

/** Bytes gathered before they are folded into the Blob. */
const BLOB_PART_BYTES = 8 * 1024 * 1024;

export class BlobBuilder {
  private parts: BlobPart[] = [];
  private pending: BlobPart[] = [];
  private pendingBytes = 0;
  /** Bytes added so far. */
  size = 0;

  add(chunk: Uint8Array): void {
    this.pending.push(chunk as BlobPart);
    this.pendingBytes += chunk.byteLength;
    this.size += chunk.byteLength;
    if (this.pendingBytes >= BLOB_PART_BYTES) this.fold();
  }

  finish(): Blob {
    this.fold();
    return this.parts.length === 1 && this.parts[0] instanceof Blob
      ? this.parts[0]
      : new Blob(this.parts);
  }

  private fold(): void {
    if (this.pending.length === 0) return;
    this.parts = [new Blob([...this.parts, ...this.pending])];
    this.pending = [];
    this.pendingBytes = 0;
  }
}
