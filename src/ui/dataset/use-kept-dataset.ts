/**
 * Keeps the loaded dataset in browser storage (IndexedDB, ~55 MB for the full set) so that a
 * reload brings it back without a new upload, and an interrupted run can resume on the same
 * rows. On by default; the person can turn it off, which also removes what was kept.
 */
import { useCallback, useEffect, useState } from 'react';
import type { LoadedSplit } from '../../data/ingest-types';
import { useLatestRef } from '../hooks/use-latest-ref';
import { createDatasetKeeper, type KeptDatasetStatus } from './dataset-keeper';
import { readKeepDataSetting } from './keep-data-preference';

export interface KeptDataset {
  isKeepingData: boolean;
  /** Turning it on stores `loaded` (the splits in the tab now); off removes what was kept. */
  setKeepingData: (keep: boolean, loaded: LoadedSplit[]) => void;
  status: KeptDatasetStatus;
  /** Call with every split loaded from files; stores it when keeping is on. */
  keep: (loaded: LoadedSplit) => void;
}

/**
 * @param restore receives the kept splits once, on mount, when keeping is on.
 */
export function useKeptDataset(restore: (splits: LoadedSplit[]) => void): KeptDataset {
  const [isKeepingData, setIsKeepingData] = useState(readKeepDataSetting);
  const [status, setStatus] = useState<KeptDatasetStatus>(() =>
    isKeepingData ? { kind: 'restoring' } : { kind: 'off' },
  );
  const [keeper] = useState(() => createDatasetKeeper(setStatus));
  const restoreRef = useLatestRef(restore);

  useEffect(() => {
    if (!readKeepDataSetting()) return;
    let isCurrent = true;
    keeper.restore(
      (splits) => restoreRef.current(splits),
      () => isCurrent,
    );
    return () => {
      isCurrent = false;
    };
  }, [keeper, restoreRef]);

  const setKeepingData = useCallback(
    (keepData: boolean, loaded: LoadedSplit[]) => {
      setIsKeepingData(keepData);
      keeper.setKeeping(keepData, loaded);
    },
    [keeper],
  );

  return { isKeepingData, setKeepingData, status, keep: keeper.keep };
}
