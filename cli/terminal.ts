/**
 * What the command prints while it trains, as Keras users know it: on a terminal a progress
 * bar per epoch (cli-progress: batches, samples/s, time left), replaced at the epoch's end by
 * its line; without a terminal (CI, a log file) only the lines.
 */
import cliProgress from 'cli-progress';
import type { BatchMetrics, EpochMetrics } from '../src/training/run-types';

/** Redraws of the bar per second (it is updated after every batch). */
const PROGRESS_BAR_FPS = 5;
const PROGRESS_BAR_WIDTH_CHARS = 30;

export interface RunTerminal {
  /** A line of the run's output (stdout). */
  print(line: string): void;
  /** A remark about the command itself (stderr): a build, a warning, a stop. */
  note(line: string): void;
  /** Moves the progress bar (a terminal only). */
  showBatch(metrics: BatchMetrics, epochs: number): void;
  /** Ends the epoch's bar and prints its line. */
  showEpoch(line: string): void;
}

/** `Epoch 3/10 · 262 s · loss 0.3120 · accuracy 0.8870 · val_loss 0.2950 · val_accuracy 0.8931` */
export function formatEpochLine(metrics: EpochMetrics, epochs: number, seconds: number): string {
  const parts = [
    `Epoch ${metrics.epoch + 1}/${epochs}`,
    `${Math.round(seconds)} s`,
    `loss ${metrics.loss.toFixed(4)}`,
    `accuracy ${metrics.accuracy.toFixed(4)}`,
  ];
  // Without a validation split the engine reports NaN, and Keras prints nothing.
  if (Number.isFinite(metrics.valLoss)) {
    parts.push(
      `val_loss ${metrics.valLoss.toFixed(4)}`,
      `val_accuracy ${metrics.valAccuracy.toFixed(4)}`,
    );
  }
  if (metrics.testLoss !== undefined && metrics.testAccuracy !== undefined) {
    parts.push(
      `test_loss ${metrics.testLoss.toFixed(4)}`,
      `test_accuracy ${metrics.testAccuracy.toFixed(4)}`,
    );
  }
  return parts.join(' · ');
}

/** Seconds the epoch at `index` of `history` took (the engine reports cumulative time). */
export function epochSeconds(history: EpochMetrics[], index: number): number {
  const previousMs = index > 0 ? history[index - 1].elapsedMs : 0;
  return (history[index].elapsedMs - previousMs) / 1000;
}

export function createRunTerminal(
  stdout: NodeJS.WriteStream = process.stdout,
  stderr: NodeJS.WriteStream = process.stderr,
): RunTerminal {
  const isTerminal = stdout.isTTY === true;
  let bar: cliProgress.SingleBar | null = null;
  let barEpoch = -1;
  /** The epoch's sample-weighted loss and accuracy so far, as Keras' bar shows them. */
  const running = { epoch: -1, samples: 0, loss: 0, correct: 0, samplesSeen: 0 };
  const endBar = () => {
    bar?.stop();
    bar = null;
    barEpoch = -1;
  };
  return {
    print(line) {
      endBar();
      stdout.write(`${line}\n`);
    },
    note(line) {
      endBar();
      stderr.write(`${line}\n`);
    },
    showBatch(metrics, epochs) {
      if (!isTerminal) return;
      if (running.epoch !== metrics.epoch) {
        Object.assign(running, { epoch: metrics.epoch, samples: 0, loss: 0, correct: 0 });
      }
      // samplesSeen counts from the start of this process's run; its step is the batch's rows.
      const rows = metrics.samplesSeen - running.samplesSeen;
      running.samplesSeen = metrics.samplesSeen;
      running.samples += rows;
      running.loss += metrics.loss * rows;
      running.correct += metrics.accuracy * rows;
      const payload = {
        epoch: metrics.epoch + 1,
        epochs,
        speed: metrics.samplesPerSec.toFixed(1),
        loss: (running.loss / running.samples).toFixed(4),
        accuracy: (running.correct / running.samples).toFixed(4),
      };
      if (!bar || barEpoch !== metrics.epoch) {
        endBar();
        bar = new cliProgress.SingleBar(
          {
            format:
              'Epoch {epoch}/{epochs} [{bar}] {value}/{total} · loss {loss} · accuracy {accuracy} · {speed} samples/s · ETA {eta_formatted}',
            barsize: PROGRESS_BAR_WIDTH_CHARS,
            fps: PROGRESS_BAR_FPS,
            stream: stdout,
            clearOnComplete: true,
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        );
        // Started at this batch, so the first frame counts the batch that has just run.
        bar.start(metrics.batchesPerEpoch, metrics.batch + 1, payload);
        barEpoch = metrics.epoch;
      }
      bar.update(metrics.batch + 1, payload);
    },
    showEpoch(line) {
      endBar();
      stdout.write(`${line}\n`);
    },
  };
}
