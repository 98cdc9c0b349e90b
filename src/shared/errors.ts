/**
 * Turning whatever was thrown into the sentence a person reads. Plain TypeScript: every layer
 * (workers, Node tests, the UI) uses it.
 */

/**
 * The message of a thrown value: an Error's message (its name when the message is empty); the
 * `message` of a plain object (tfjs-backend-wasm rejects with `{ message }` when emscripten
 * aborts), else its `name` (IndexedDB requests fail with DOMException-like objects that may
 * carry only a name); else its string form.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'object' && error !== null) {
    const { message, name } = error as { message?: unknown; name?: unknown };
    if (typeof message === 'string' && message !== '') return message;
    if (typeof name === 'string' && name !== '') return name;
  }
  return String(error);
}
