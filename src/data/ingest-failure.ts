/**
 * A failed ingest job as plain data, so it can cross from the ingest worker, and back into the
 * thrown value on the page. Kept apart from the ingest core so the page's loader (ingest-main)
 * imports it without the parsers, which load only for the main-thread fallback.
 */
import { errorMessage } from '../shared/errors';
import { IngestError, type IngestErrorDetails } from './ingest-types';

/** A failure as plain data: IngestError keeps its details, anything else only a message. */
export type SerializedIngestFailure =
  { isIngestError: true; details: IngestErrorDetails } | { isIngestError: false; message: string };

export function serializeFailure(error: unknown): SerializedIngestFailure {
  if (error instanceof IngestError) return { isIngestError: true, details: error.details };
  return { isIngestError: false, message: errorMessage(error) };
}

/** Rebuilds the thrown value on the receiving side, so callers can test `instanceof IngestError`. */
export function deserializeFailure(failure: SerializedIngestFailure): Error {
  return failure.isIngestError ? new IngestError(failure.details) : new Error(failure.message);
}
