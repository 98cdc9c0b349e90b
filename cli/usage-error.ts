/** A problem with what the user asked for (flags, paths, data): shown as is, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Exit statuses of `npm run train`. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** 128 + SIGINT, what a shell reports for a command stopped with Ctrl-C. */
export const EXIT_INTERRUPTED = 130;
