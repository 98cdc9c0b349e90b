import { useEffect, useRef, type RefObject } from 'react';

/**
 * A ref that always holds the latest `value`, for callbacks that must stay stable (so effects
 * and memoised children do not restart) yet call what the parent passed most recently.
 * Read it in callbacks and effects, never during render.
 */
export function useLatestRef<T>(value: T): RefObject<T> {
  const ref = useRef(value);
  useEffect(() => {
    ref.current = value;
  }, [value]);
  return ref;
}
