import { useCallback, useRef } from 'react';

/**
 * Ids unique within one component instance (`load-1`, `load-2`, …) for things that come and
 * go in lists, where two of them may share a name. The counter lives in the instance, not in
 * the module, so a remount or a test starts afresh.
 */
export function useSequentialIds(prefix: string): () => string {
  const countRef = useRef(0);
  return useCallback(() => `${prefix}-${++countRef.current}`, [prefix]);
}
