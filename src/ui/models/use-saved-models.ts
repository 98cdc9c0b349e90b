/**
 * The browser's saved models, for the UI: availability, the list, save, load, delete. Storage
 * code (and with it TensorFlow.js' IndexedDB handler) is loaded on first use, off the first
 * screen's critical path.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ModelMetadata } from '../../storage/model-metadata';
import type { ModelStore, SavedModelEntry } from '../../storage/model-store';
import type { CurrentModel } from './current-model';
import { errorMessage } from '../../shared/errors';

export interface SavedModelsController {
  /** Null while checking; a reason when IndexedDB cannot be used (saving is then off). */
  unavailableReason: string | null | undefined;
  entries: SavedModelEntry[];
  isBusy: boolean;
  error: string | null;
  notice: string | null;
  save: (current: CurrentModel, name: string) => Promise<ModelMetadata | null>;
  load: (id: string) => Promise<{ model: CurrentModel['model']; metadata: ModelMetadata } | null>;
  remove: (id: string) => Promise<void>;
  clearMessages: () => void;
}

export function useSavedModels(): SavedModelsController {
  const storeRef = useRef<Promise<ModelStore> | null>(null);
  const [unavailableReason, setUnavailableReason] = useState<string | null | undefined>(undefined);
  const [entries, setEntries] = useState<SavedModelEntry[]>([]);
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const getStore = useCallback((): Promise<ModelStore> => {
    storeRef.current ??= import('../../storage/model-store').then((m) => m.createModelStore());
    return storeRef.current;
  }, []);

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

  /** Runs one storage operation with the busy flag, turning failures into the alert text. */
  const run = useCallback(async <T>(operation: () => Promise<T>): Promise<T | null> => {
    setIsBusy(true);
    setError(null);
    setNotice(null);
    try {
      return await operation();
    } catch (e) {
      setError(errorMessage(e));
      return null;
    } finally {
      setIsBusy(false);
    }
  }, []);

  const save = useCallback(
    (current: CurrentModel, name: string) =>
      run(async () => {
        if (!current.trainingParams) {
          throw new Error(
            'This model came from files without a metadata.json, so its training settings are unknown; train it here (or load it with its metadata) to save it.',
          );
        }
        const store = await getStore();
        const metadata = await store.saveModel(current.model, {
          name,
          trainingParams: current.trainingParams,
          epochsCompleted: current.epochsCompleted,
          trainingAccuracy: current.trainingAccuracy,
          validationAccuracy: current.validationAccuracy,
          testAccuracy: current.testAccuracy,
        });
        await refresh();
        setNotice(`Saved "${metadata.name}" in this browser.`);
        return metadata;
      }),
    [getStore, refresh, run],
  );

  const load = useCallback(
    (id: string) =>
      run(async () => {
        const store = await getStore();
        const loaded = await store.loadSavedModel(id);
        return { model: loaded.artifacts, metadata: loaded.metadata };
      }),
    [getStore, run],
  );

  const remove = useCallback(
    async (id: string) => {
      await run(async () => {
        const store = await getStore();
        await store.deleteSavedModel(id);
        await refresh();
        setNotice('Deleted.');
      });
    },
    [getStore, refresh, run],
  );

  const clearMessages = useCallback(() => {
    setError(null);
    setNotice(null);
  }, []);

  return { unavailableReason, entries, isBusy, error, notice, save, load, remove, clearMessages };
}
