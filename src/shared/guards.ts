/** Type guards for data read back from storage, files or messages. */

/** A plain object (not null, not an array), whose fields are still to be checked. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
