/** What each backend's initialiser reports to the chooser (backend.ts). */
import type { BackendInfo } from '../run-types';

/** The outcome of trying one backend: what to report about it, or why it was skipped. */
export type Attempt =
  { ok: true; details: Partial<BackendInfo>; note: string } | { ok: false; why: string };
