/**
 * Runs an async job at most once at a time. A request made while the job runs is remembered
 * (however many arrive) and served once afterwards, so only the latest state gets drawn and
 * slow redraws never pile up.
 */
export interface CoalescedRunner {
  request: () => void;
  /** Stops serving requests (the component unmounted). */
  dispose: () => void;
}

export function createCoalescedRunner(
  job: () => Promise<void>,
  /** Starts a job in a new task; injectable for tests. */
  defer: (start: () => void) => void = (start) => setTimeout(start, 0),
): CoalescedRunner {
  let isRunning = false;
  let isPending = false;
  let isDisposed = false;
  const run = (): void => {
    if (isDisposed) return;
    if (isRunning) {
      isPending = true;
      return;
    }
    isRunning = true;
    defer(() => {
      const finish = () => {
        isRunning = false;
        if (isPending) {
          isPending = false;
          run();
        }
      };
      if (isDisposed) {
        finish();
        return;
      }
      let running: Promise<void>;
      try {
        running = job();
      } catch {
        // A job that throws synchronously must not leave the runner stuck as running.
        finish();
        return;
      }
      running.then(finish, finish);
    });
  };
  return {
    request: run,
    dispose: () => {
      isDisposed = true;
    },
  };
}
