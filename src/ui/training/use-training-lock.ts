/**
 * One tab trains at a time: every tab of the app shares this browser's storage (checkpoints,
 * kept data), so a run holds the Web Lock `fashion-mnist-studio/training` from its start to
 * its end. A tab that finds the lock taken says so, and learns when it is free again (the run
 * ended or its tab closed: the browser frees a closed tab's locks). Without Web Locks every
 * tab may train, as before.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

const TRAINING_LOCK_NAME = 'fashion-mnist-studio/training';

export interface TrainingLock {
  /** Another tab of the app is training now. */
  isHeldElsewhere: boolean;
  /**
   * Runs `start` holding the lock, which goes when `start`'s release is called; false (and
   * `start` not called) when another tab holds it.
   */
  withLock: (start: (release: () => void) => void) => Promise<boolean>;
}

const locksHere = (): LockManager | null =>
  typeof navigator !== 'undefined' && navigator.locks ? navigator.locks : null;

export function useTrainingLock(): TrainingLock {
  const [isHeldElsewhere, setIsHeldElsewhere] = useState(false);
  const isWatchingRef = useRef(false);
  const isHoldingRef = useRef(false);

  /** Waits in line for the lock and lets it go at once: it only tells when it is free. */
  const watchUntilFree = useCallback(() => {
    const locks = locksHere();
    if (!locks || isWatchingRef.current) return;
    isWatchingRef.current = true;
    setIsHeldElsewhere(true);
    void locks.request(TRAINING_LOCK_NAME, () => {
      isWatchingRef.current = false;
      setIsHeldElsewhere(false);
    });
  }, []);

  const checkNow = useCallback(() => {
    const locks = locksHere();
    if (!locks || isHoldingRef.current) return;
    void locks.query().then((state) => {
      if (state.held?.some((lock) => lock.name === TRAINING_LOCK_NAME) && !isHoldingRef.current) {
        watchUntilFree();
      }
    });
  }, [watchUntilFree]);

  useEffect(() => {
    checkNow();
    const onVisible = () => {
      if (document.visibilityState === 'visible') checkNow();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [checkNow]);

  const withLock = useCallback(
    (start: (release: () => void) => void) => {
      const locks = locksHere();
      if (!locks) {
        start(() => undefined);
        return Promise.resolve(true);
      }
      return new Promise<boolean>((resolve) => {
        void locks.request(TRAINING_LOCK_NAME, { ifAvailable: true }, (lock) => {
          if (!lock) {
            resolve(false);
            watchUntilFree();
            return undefined;
          }
          isHoldingRef.current = true;
          resolve(true);
          return new Promise<void>((release) =>
            start(() => {
              isHoldingRef.current = false;
              release();
            }),
          );
        });
      });
    },
    [watchUntilFree],
  );

  return { isHeldElsewhere, withLock };
}
