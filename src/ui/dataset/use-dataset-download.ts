/**
 * One download of dataset files at a time (the shipped sample, or the official files once the
 * person has seen their source and size and said yes), with progress and a way to cancel. The
 * files it gets go to `onFiles`, the same door as dropped files.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  downloadDatasetFiles,
  DownloadError,
  type DatasetSource,
  type DownloadProgress,
} from '../../data/dataset-download';
import { errorMessage } from '../../shared/errors';
import { useLatestRef } from '../hooks/use-latest-ref';

export type DatasetDownloadState =
  | { kind: 'idle' }
  /** The official files were asked for: source and size are shown, nothing fetched yet. */
  | { kind: 'confirming'; source: DatasetSource }
  | { kind: 'downloading'; source: DatasetSource; progress: DownloadProgress }
  | { kind: 'failed'; message: string };

export interface DatasetDownload {
  state: DatasetDownloadState;
  /** Starts downloading `source` at once (the sample: it comes from the app itself). */
  start: (source: DatasetSource) => void;
  /** Shows what `source` is and how big before anything is fetched. */
  ask: (source: DatasetSource) => void;
  /** Stops a download, or closes the question, without loading anything. */
  cancel: () => void;
}

/** Progress reaches React state at most this often, so a fast download is not slowed. */
const DOWNLOAD_PROGRESS_INTERVAL_MS = 100;

export function useDatasetDownload(onFiles: (files: File[]) => void): DatasetDownload {
  const [state, setState] = useState<DatasetDownloadState>({ kind: 'idle' });
  const abortRef = useRef<AbortController | null>(null);
  const onFilesRef = useLatestRef(onFiles);

  // A download in flight stops when the panel goes.
  useEffect(() => () => abortRef.current?.abort(), []);

  const start = useCallback(
    (source: DatasetSource) => {
      abortRef.current?.abort();
      const controller = new AbortController();
      abortRef.current = controller;
      let lastUpdateMs = 0;
      setState({ kind: 'downloading', source, progress: { receivedBytes: 0, totalBytes: 0 } });
      downloadDatasetFiles(source, {
        baseUrl: document.baseURI,
        signal: controller.signal,
        onProgress: (progress) => {
          const nowMs = performance.now();
          if (nowMs - lastUpdateMs < DOWNLOAD_PROGRESS_INTERVAL_MS) return;
          lastUpdateMs = nowMs;
          setState({ kind: 'downloading', source, progress });
        },
      }).then(
        (files) => {
          if (controller.signal.aborted) return;
          abortRef.current = null;
          setState({ kind: 'idle' });
          onFilesRef.current(files);
        },
        (error: unknown) => {
          if (controller.signal.aborted) return;
          abortRef.current = null;
          const message =
            error instanceof DownloadError
              ? error.message
              : `The download stopped: ${errorMessage(error)}`;
          setState({ kind: 'failed', message });
        },
      );
    },
    [onFilesRef],
  );

  const ask = useCallback((source: DatasetSource) => setState({ kind: 'confirming', source }), []);

  const cancel = useCallback(() => {
    abortRef.current?.abort();
    abortRef.current = null;
    setState({ kind: 'idle' });
  }, []);

  return { state, start, ask, cancel };
}
