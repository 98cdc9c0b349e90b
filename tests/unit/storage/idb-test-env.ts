/**
 * Import first in every storage test: an in-memory IndexedDB (fake-indexeddb) and a global
 * scope that tfjs takes for a worker. tfjs decides at import time whether it runs in a browser,
 * and only then registers its IndexedDB model manager (which tf.io.removeModel needs), so this
 * must run before @tensorflow/tfjs is first imported.
 */
import 'fake-indexeddb/auto';

const scope = globalThis as Record<string, unknown>;
// tfjs reads `self.indexedDB` when there is no `window`.
scope.self ??= globalThis;
// device_util.isBrowser(): `typeof WorkerGlobalScope !== 'undefined'` means "in a worker".
scope.WorkerGlobalScope ??= function WorkerGlobalScope() {};

/** Empties both databases: ours and tfjs's. */
export async function deleteAllDatabases(): Promise<void> {
  for (const name of ['fashion-mnist-studio', 'tensorflowjs']) {
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.deleteDatabase(name);
      request.onsuccess = () => resolve();
      request.onerror = () => reject(request.error);
    });
  }
}
