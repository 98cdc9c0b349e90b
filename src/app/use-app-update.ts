/// <reference types="vite-plugin-pwa/client" />
/**
 * The service worker that makes the app work offline (build/pwa.mjs), registered once the page
 * is up, and the one update path: when a new version has installed beside the running one, the
 * page says so; `applyUpdate` lets the new version take over and reloads. Until then the page
 * runs entirely on the version it started with. The only importer of vite-plugin-pwa's
 * registration module, which loads lazily, off the first screen.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export interface AppUpdate {
  /** A new version is installed and waiting for the page to reload into it. */
  isUpdateReady: boolean;
  /** Activates the waiting version and reloads the page. */
  applyUpdate: () => void;
}

export function useAppUpdate(): AppUpdate {
  const [isUpdateReady, setIsUpdateReady] = useState(false);
  const updateRef = useRef<((reloadPage?: boolean) => Promise<void>) | null>(null);

  useEffect(() => {
    // The dev server has no service worker: its files change on every edit.
    if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
    let isCurrent = true;
    import('virtual:pwa-register')
      .then(({ registerSW }) => {
        if (!isCurrent) return;
        updateRef.current = registerSW({
          immediate: true,
          onNeedRefresh: () => setIsUpdateReady(true),
          onRegisterError: (error: unknown) =>
            console.warn('The offline service worker could not be registered', error),
        });
      })
      .catch((error: unknown) => console.warn('The service worker module did not load', error));
    return () => {
      isCurrent = false;
    };
  }, []);

  const applyUpdate = useCallback(() => {
    const update = updateRef.current;
    if (update) void update(true);
    else window.location.reload();
  }, []);

  return { isUpdateReady, applyUpdate };
}
