/**
 * What the command prints while it trains (cli/terminal.ts), on a fake stream that says it is
 * a terminal and on one that does not: on a terminal a progress bar per epoch (batches, the
 * epoch's running loss and accuracy, samples/s, time left) that the epoch's line replaces;
 * without one (CI, a log file) only the epoch lines. Time is faked, so the bar's redraws and
 * its time left follow the batches given here, not the machine's speed.
 */
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { BatchMetrics, EpochMetrics } from '../../../src/training/run-types';
import { createRunTerminal, formatEpochLine } from '../../../cli/terminal';

/** A stream that keeps what is written to it; `isTTY` as a terminal's or a pipe's. */
class FakeStream extends Writable {
  text = '';
  readonly columns = 160;
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

function createStreams(isTTY: boolean) {
  const stdout = new FakeStream(isTTY);
  const stderr = new FakeStream(isTTY);
  const terminal = createRunTerminal(
    stdout as unknown as NodeJS.WriteStream,
    stderr as unknown as NodeJS.WriteStream,
  );
  return { stdout, stderr, terminal };
}

const BATCHES_PER_EPOCH = 20;
const BATCH_ROWS = 32;
/** Each batch takes this long in fake time: 5 batches a second. */
const BATCH_MS = 200;
// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\u001b(\[[0-9;?]*[A-Za-z]|[78])/g;
/** The bar's last frame (20/20), then the cursor to column 0, the line erased, the cursor back. */
// eslint-disable-next-line no-control-regex
const LAST_FRAME_CLEARED = /20\/20 [^\n]*\u001b\[1G\u001b\[2K(\u001b\[\?25h)?$/;

/** The k-th batch (0-based) of epoch 0: loss 1.0, 0.5, 1.0, 0.5 …; accuracy 0.25, 0.75 … */
function batchOf(batch: number): BatchMetrics {
  const isEven = batch % 2 === 0;
  return {
    epoch: 0,
    batch,
    batchesPerEpoch: BATCHES_PER_EPOCH,
    loss: isEven ? 1 : 0.5,
    accuracy: isEven ? 0.25 : 0.75,
    samplesSeen: (batch + 1) * BATCH_ROWS,
    samplesPerSec: 160,
    elapsedMs: (batch + 1) * BATCH_MS,
  };
}

const EPOCH: EpochMetrics = {
  epoch: 0,
  loss: 0.75,
  accuracy: 0.5,
  valLoss: 0.7,
  valAccuracy: 0.55,
  elapsedMs: BATCHES_PER_EPOCH * BATCH_MS,
  learningRate: 0.001,
};
const EPOCH_LINE = formatEpochLine(EPOCH, 2, 4);

/** Feeds epoch 0's batches 0 … count−1, `BATCH_MS` of fake time apart. */
function runBatches(terminal: ReturnType<typeof createRunTerminal>, count: number): void {
  for (let batch = 0; batch < count; batch++) {
    vi.advanceTimersByTime(BATCH_MS);
    terminal.showBatch(batchOf(batch), 2);
  }
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('on a terminal', () => {
  test('a bar shows the batches, the running loss and accuracy, samples/s and the time left', () => {
    const { stdout, terminal } = createStreams(true);
    runBatches(terminal, 10);
    vi.advanceTimersByTime(BATCH_MS);
    const frames = stdout.text.split(ANSI_ESCAPE).filter((part) => part.startsWith('Epoch'));
    // After 10 of 20 batches, 200 ms each: 10 more take 2 s. Loss and accuracy are the means
    // of the epoch's batches so far, weighted by their rows (equal here).
    expect(frames.at(-1)).toBe(
      'Epoch 1/2 [' +
        '█'.repeat(15) +
        '░'.repeat(15) +
        '] 10/20 · loss 0.7500 · accuracy 0.5000 · 160.0 samples/s · ETA 2s',
    );
    expect(frames.length).toBeGreaterThanOrEqual(5);
    expect(stdout.text).not.toContain('\n');
  });

  test("the epoch's line replaces its bar, and the next epoch starts a new bar", () => {
    const { stdout, stderr, terminal } = createStreams(true);
    runBatches(terminal, BATCHES_PER_EPOCH);
    terminal.showEpoch(EPOCH_LINE);
    expect(stdout.text.endsWith(`${EPOCH_LINE}\n`)).toBe(true);
    const beforeLine = stdout.text.slice(0, -`${EPOCH_LINE}\n`.length);
    expect(beforeLine).toMatch(LAST_FRAME_CLEARED);
    vi.advanceTimersByTime(10 * BATCH_MS);
    expect(stdout.text.endsWith(`${EPOCH_LINE}\n`)).toBe(true);

    terminal.showBatch({ ...batchOf(0), epoch: 1, samplesSeen: 21 * BATCH_ROWS }, 2);
    expect(stdout.text.slice(stdout.text.indexOf(EPOCH_LINE))).toMatch(
      /Epoch 2\/2 \[█{2}░{28}\] 1\/20 · loss 1\.0000/,
    );
    terminal.note('Stopping at the next batch boundary…');
    expect(stderr.text).toBe('Stopping at the next batch boundary…\n');
  });
});

describe('without a terminal', () => {
  test('only the epoch lines: no bar, no escape codes', () => {
    const { stdout, stderr, terminal } = createStreams(false);
    runBatches(terminal, BATCHES_PER_EPOCH);
    vi.advanceTimersByTime(10_000);
    terminal.showEpoch(EPOCH_LINE);
    expect(stdout.text).toBe(`${EPOCH_LINE}\n`);
    expect(stderr.text).toBe('');
  });
});
