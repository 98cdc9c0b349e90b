/**
 * Storage that lasts: asks the browser to keep this origin's data (`navigator.storage.persist`)
 * when the person keeps something, and reads what is used and what is left
 * (`navigator.storage.estimate`). Without the grant the browser may evict everything under
 * storage pressure; with it, only the person can clear it.
 */

export interface StorageEstimateView {
  /** Bytes this origin uses, and the most it may use; null where the browser does not say. */
  usageBytes: number | null;
  quotaBytes: number | null;
  /** Whether the browser promised to keep the data; null where it cannot be asked. */
  isPersisted: boolean | null;
}

const storageManager = (): StorageManager | undefined =>
  typeof navigator !== 'undefined' ? navigator.storage : undefined;

/** Asks once per call; browsers answer from their own policy (Chromium: site engagement). */
export async function requestPersistentStorage(): Promise<boolean | null> {
  const storage = storageManager();
  if (!storage?.persist) return null;
  try {
    return (await storage.persisted()) || (await storage.persist());
  } catch {
    return null;
  }
}

export async function readStorageEstimate(): Promise<StorageEstimateView> {
  const storage = storageManager();
  const [estimate, isPersisted] = await Promise.all([
    storage?.estimate?.().catch(() => undefined),
    storage?.persisted?.().catch(() => null) ?? null,
  ]);
  return {
    usageBytes: estimate?.usage ?? null,
    quotaBytes: estimate?.quota ?? null,
    isPersisted,
  };
}
