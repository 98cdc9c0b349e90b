/**
 * The page's training options: the backend the user chose (starting from the URL's options)
 * and how a session is made, kept stable between renders so hooks that depend on them do not
 * restart.
 */
import { useMemo, useState } from 'react';
import type { BackendChoice } from '../ui/training/training-section';
import { createPageTrainingSession } from './training-session';
import type { UrlOptions } from './url-options';

export function useTrainingOptions(urlOptions: UrlOptions) {
  const [backend, setBackend] = useState<BackendChoice>({
    preference: urlOptions.backend,
    allowSoftwareWebgl: urlOptions.allowSoftwareWebgl,
  });
  const trainingOptions = useMemo(
    () => ({
      backendRequest: {
        ...backend,
        allowWasmThreads: urlOptions.allowWasmThreads,
        wasmConvKernels: urlOptions.wasmConvKernels,
      },
      createSession: () => createPageTrainingSession(urlOptions.preferWorker),
    }),
    [backend, urlOptions],
  );
  return { backend, setBackend, trainingOptions };
}
