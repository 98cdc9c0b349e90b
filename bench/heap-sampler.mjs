/**
 * Samples the JS heap of a page and of every worker it starts, over CDP, from Node. Dedicated
 * workers have their own V8 heap that `performance.memory` in the page cannot see, and the
 * ingest runs in one. Each sample is `Runtime.getHeapUsage` per target: `usedSize` (V8 heap)
 * + `backingStorageSize` (ArrayBuffer contents, where the dataset's arrays live).
 *
 * What sampling cannot see: a peak shorter than the interval inside one task, e.g. the ~65 ms
 * copy that cuts a split's arrays to exact length. The report states those by construction.
 */

/** Time between two samples, ms. A sample takes a few ms of CDP round trips per target. */
export const HEAP_SAMPLE_INTERVAL_MS = 25;
/** A worker that is being torn down may never answer; its sample is then skipped. */
const CDP_REPLY_TIMEOUT_MS = 500;

/**
 * Starts sampling `page`. Returns `stop()`, which resolves to samples
 * `{ atEpochMs, pageMb, workersMb }` (MB = 1e6 bytes).
 */
export async function startHeapSampler(page, intervalMs = HEAP_SAMPLE_INTERVAL_MS) {
  const cdp = await page.context().newCDPSession(page);
  /** sessionId → worker target, attached through the page's (non-flattened) auto-attach. */
  const workers = new Set();
  const waiting = new Map();
  let nextId = 1;
  cdp.on('Target.attachedToTarget', (e) => {
    if (e.targetInfo.type === 'worker') workers.add(e.sessionId);
  });
  cdp.on('Target.detachedFromTarget', (e) => workers.delete(e.sessionId));
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const reply = JSON.parse(e.message);
    waiting.get(reply.id)?.(reply.result);
  });
  // Non-flattened, so the CDP sessions of the workers do not disturb Playwright's own.
  await cdp.send('Target.setAutoAttach', {
    autoAttach: true,
    waitForDebuggerOnStart: false,
    flatten: false,
  });

  const askWorker = (sessionId) =>
    new Promise((resolve) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        resolve(null);
      }, CDP_REPLY_TIMEOUT_MS);
      waiting.set(id, (result) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(result);
      });
      cdp
        .send('Target.sendMessageToTarget', {
          sessionId,
          message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }),
        })
        .catch(() => resolve(null));
    });
  const mb = (usage) => (usage ? (usage.usedSize + (usage.backingStorageSize ?? 0)) / 1e6 : 0);

  const samples = [];
  let isRunning = true;
  const loop = (async () => {
    while (isRunning) {
      const atEpochMs = Date.now();
      const [pageUsage, ...workerUsages] = await Promise.all([
        cdp.send('Runtime.getHeapUsage').catch(() => null),
        ...[...workers].map(askWorker),
      ]);
      samples.push({ atEpochMs, pageMb: mb(pageUsage), workersMb: workerUsages.map(mb) });
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      isRunning = false;
      await loop;
      await cdp.detach().catch(() => undefined);
      return samples;
    },
  };
}

/**
 * Peak growth over the window [startEpochMs, endEpochMs] against the last sample before it:
 * page, worker(s) together, and page + workers at the same instant. MB.
 */
export function peakHeapGrowth(samples, startEpochMs, endEpochMs) {
  const total = (s) => s.pageMb + s.workersMb.reduce((a, b) => a + b, 0);
  const workersOf = (s) => s.workersMb.reduce((a, b) => a + b, 0);
  const before = samples.filter((s) => s.atEpochMs < startEpochMs).at(-1);
  const during = samples.filter((s) => s.atEpochMs >= startEpochMs && s.atEpochMs <= endEpochMs);
  if (!before || during.length === 0) return null;
  const peak = (f) => Math.max(...during.map(f)) - f(before);
  return {
    samples: during.length,
    pageMb: peak((s) => s.pageMb),
    workersMb: peak(workersOf),
    totalMb: peak(total),
  };
}
