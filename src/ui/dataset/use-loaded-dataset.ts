/**
 * The dataset the page works with: files loaded in this visit (use-dataset.ts) and, when the
 * person keeps data in this browser, what a previous visit kept (use-kept-dataset.ts). Every
 * split loaded from files goes to the keeper; what the keeper restores goes back to the
 * dataset unless files for that split were loaded meanwhile.
 */
import { useCallback, useEffect, useRef } from 'react';
import type { LoadedSplit } from '../../data/ingest-types';
import { useDataset, type DatasetController } from './use-dataset';
import { useKeptDataset, type KeptDataset } from './use-kept-dataset';

export function useLoadedDataset(): { dataset: DatasetController; kept: KeptDataset } {
  // The keeper is created after the dataset it restores into, so loads reach it through a ref.
  const keepRef = useRef<((loaded: LoadedSplit) => void) | null>(null);
  const onSplitLoaded = useCallback((loaded: LoadedSplit) => keepRef.current?.(loaded), []);
  const dataset = useDataset(onSplitLoaded);
  const kept = useKeptDataset(dataset.restore);
  useEffect(() => {
    keepRef.current = kept.keep;
  }, [kept.keep]);
  return { dataset, kept };
}
