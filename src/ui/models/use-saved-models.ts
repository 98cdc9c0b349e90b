/**
 * The browser's saved models, for the UI: availability, the list, save, load, delete. Storage
 * code (and with it TensorFlow.js' IndexedDB handler) is loaded on first use, off the first
 * screen's critical path.
 */
import { useCallback, useRef } from 'react';
import type { ModelMetadata } from '../../storage/model-metadata';
import type { ModelStore, SavedModelEntry } from '../../storage/model-store';
import type { CurrentModel } from './current-model';
import { requestPersistentStorage, type StorageEstimateView } from './storage-estimate';
import { useSavedModelList } from './use-saved-model-list';
import { useStorageOperation } from './use-storage-operation';

export interface SavedModelsController {
  /** Undefined while checking; a reason when IndexedDB cannot be used (saving is then off). */
  unavailableReason: string | null | undefined;
  entries: SavedModelEntry[];
  /** What this origin uses of browser storage; null or absent until read or where unknown. */
  estimate?: StorageEstimateView | null;
  isBusy: boolean;
  error: string | null;
  notice: string | null;
  save: (current: CurrentModel, name: string) => Promise<ModelMetadata | null>;
  load: (id: string) => Promise<{ model: CurrentModel['model']; metadata: ModelMetadata } | null>;
  remove: (id: string) => Promise<void>;
  clearMessages: () => void;
  /** Shows `notice` in the status line (what an action built on `load` did). */
  notify: (notice: string) => void;
}

/** Why a model read from files without its metadata cannot be saved. */
const UNKNOWN_SETTINGS_MESSAGE =
  'This model came from files without a metadata.json, so its training settings are unknown; train it here (or load it with its metadata) to save it.';

/** The model store, its module loaded on first use and made once. */
function useLazyModelStore(): () => Promise<ModelStore> {
  const storeRef = useRef<Promise<ModelStore> | null>(null);
  return useCallback(
    () =>
      (storeRef.current ??= import('../../storage/model-store').then((m) => m.createModelStore())),
    [],
  );
}

/** Saving, loading and deleting report through `isBusy`, `error` and `notice`. */
export function useSavedModels(): SavedModelsController {
  const getStore = useLazyModelStore();
  const { unavailableReason, entries, estimate, refresh } = useSavedModelList(getStore);
  const { isBusy, error, notice, setNotice, run, clearMessages } = useStorageOperation();

  const save = useCallback(
    (current: CurrentModel, name: string) =>
      run(async () => {
        if (!current.trainingParams) throw new Error(UNKNOWN_SETTINGS_MESSAGE);
        const store = await getStore();
        // Asked before the write: a saved model should outlive storage pressure.
        await requestPersistentStorage();
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
    [getStore, refresh, run, setNotice],
  );

  const load = useCallback(
    (id: string) =>
      run(async () => {
        const loaded = await (await getStore()).loadSavedModel(id);
        return { model: loaded.artifacts, metadata: loaded.metadata };
      }),
    [getStore, run],
  );

  const remove = useCallback(
    async (id: string) => {
      await run(async () => {
        await (await getStore()).deleteSavedModel(id);
        await refresh();
        setNotice('Deleted.');
      });
    },
    [getStore, refresh, run, setNotice],
  );

  return {
    unavailableReason,
    entries,
    estimate,
    isBusy,
    error,
    notice,
    save,
    load,
    remove,
    clearMessages,
    notify: setNotice,
  };
}
