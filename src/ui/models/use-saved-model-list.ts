import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../../shared/errors';
import type { ModelStore, SavedModelEntry } from '../../storage/model-store';

/** What the panel shows of this browser's model storage. */
export interface SavedModelList {
  /** Undefined while checking; a reason when IndexedDB cannot be used; null when it can. */
  unavailableReason: string | null | undefined;
  entries: SavedModelEntry[];
  /** Reads the list again (after a save or a delete). */
  refresh: () => Promise<void>;
}

/** Whether this browser can keep models, and the models it keeps, checked once on mount. */
export function useSavedModelList(getStore: () => Promise<ModelStore>): SavedModelList {
  const [unavailableReason, setUnavailableReason] = useState<string | null | undefined>(undefined);
  const [entries, setEntries] = useState<SavedModelEntry[]>([]);

  const refresh = useCallback(async () => {
    const store = await getStore();
    setEntries(await store.listSavedModels());
  }, [getStore]);

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
        if (!isCancelled) setEntries(list);
      } catch (e) {
        if (!isCancelled) setUnavailableReason(errorMessage(e));
      }
    })();
    return () => {
      isCancelled = true;
    };
  }, [getStore]);

  return { unavailableReason, entries, refresh };
}
