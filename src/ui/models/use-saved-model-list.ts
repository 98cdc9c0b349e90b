import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../../shared/errors';
import type { ModelStore, SavedModelEntry } from '../../storage/model-store';
import { createSavedModelsChannel } from './tab-channel';
import { readStorageEstimate, type StorageEstimateView } from './storage-estimate';

/** What the panel shows of this browser's model storage. */
export interface SavedModelList {
  /** Undefined while checking; a reason when IndexedDB cannot be used; null when it can. */
  unavailableReason: string | null | undefined;
  entries: SavedModelEntry[];
  /** What this origin uses of browser storage, and whether the browser keeps it for good. */
  estimate: StorageEstimateView | null;
  /** Reads the list again after a save or a delete here, and tells the other tabs. */
  refresh: () => Promise<void>;
}

/**
 * Whether this browser can keep models, and the models it keeps: checked on mount and again
 * whenever another tab of the app saves or deletes one.
 */
export function useSavedModelList(getStore: () => Promise<ModelStore>): SavedModelList {
  const [unavailableReason, setUnavailableReason] = useState<string | null | undefined>(undefined);
  const [entries, setEntries] = useState<SavedModelEntry[]>([]);
  const [estimate, setEstimate] = useState<StorageEstimateView | null>(null);
  const [channel] = useState(createSavedModelsChannel);

  const reread = useCallback(async () => {
    const store = await getStore();
    setEntries(await store.listSavedModels());
    setEstimate(await readStorageEstimate());
  }, [getStore]);

  const refresh = useCallback(async () => {
    await reread();
    channel.announce();
  }, [reread, channel]);

  useEffect(() => channel.listen(() => void reread().catch(() => undefined)), [channel, reread]);

  useEffect(() => {
    let isCancelled = false;
    void (async () => {
      try {
        const store = await getStore();
        const availability = await store.isStorageAvailable();
        if (isCancelled) return;
        if (!availability.available) {
          setUnavailableReason(availability.reason);
          return;
        }
        setUnavailableReason(null);
        const list = await store.listSavedModels();
        const storageEstimate = await readStorageEstimate();
        if (isCancelled) return;
        setEntries(list);
        setEstimate(storageEstimate);
      } catch (e) {
        if (!isCancelled) setUnavailableReason(errorMessage(e));
      }
    })();
    return () => {
      isCancelled = true;
    };
  }, [getStore]);

  return { unavailableReason, entries, estimate, refresh };
}
