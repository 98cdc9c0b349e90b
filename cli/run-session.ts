/**
 * One run, from the host page's messages to what the command prints and writes: the data and
 * backend lines, the progress bar and epoch lines, each checkpoint into --out as it arrives,
 * and at the end the results and files (completed), or the command that continues the run
 * (stopped). Messages are handled one at a time, in order; the page awaits the ones that must
 * be on disk before the run goes on.
 */
import type {
  CliHostMessage,
  EncodedCheckpoint,
  FinishedRun,
  DataSource,
} from '../src/app/cli-host-protocol';
import type {
  BackendInfo,
  BackendPreference,
  BatchMetrics,
  EpochMetrics,
} from '../src/training/run-types';
import type { TrainingParams } from '../src/training/training-params';
import {
  removeCheckpointFiles,
  writeCheckpointFiles,
  CHECKPOINT_DIR_NAME,
} from './checkpoint-files';
import { describeBackend, describeEvaluation, describeSettings, epochsText } from './report';
import { writeHistoryFile, writeRunFiles } from './run-files';
import { epochSeconds, formatEpochLine, type RunTerminal } from './terminal';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from './usage-error';

/** Everything a run needs, decided before Chromium starts. */
export interface RunPlan {
  runId: string;
  /** The run's settings; a fresh run's always have a seed. */
  params: TrainingParams;
  /** The seed was chosen by the command (no --seed): it is printed, to repeat the run. */
  isSeedChosen: boolean;
  backend: BackendPreference;
  outDir: string;
  /** Absolute paths of the data files, in the order the host page gets them. */
  dataFiles: string[];
  /** Which of `dataFiles` make which split. */
  sources: DataSource[];
  /** The checkpoint to continue, and the folder it came from. */
  resume?: { checkpoint: EncodedCheckpoint; runDir: string };
  /** Evaluate the test split after every epoch too. */
  monitorTest: boolean;
}

/** How paths and the continuing command are shown (relative to where the command was typed). */
export interface PathStyle {
  show(path: string): string;
  /** The path as a shell argument. */
  argument(path: string): string;
}

const count = (n: number) => n.toLocaleString('en-US');

export class RunSession {
  /** Resolves with the exit status once the run has ended. */
  readonly exitStatus: Promise<number>;
  private settle: (status: number) => void = () => undefined;
  private isSettled = false;
  private readonly history: EpochMetrics[];
  private readonly loadedLines: string[] = [];
  private readonly imageCounts = { train: 0, test: 0 };
  private backend: BackendInfo | null = null;
  /** The latest batch, to say where in its epoch a stopped run stopped. */
  private lastBatch: BatchMetrics | null = null;
  /** The folder holding the run's latest checkpoint, and its epoch (0: the run's start). */
  private checkpoint: { dir: string; epoch: number } | null;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly plan: RunPlan,
    private readonly terminal: RunTerminal,
    private readonly paths: PathStyle,
  ) {
    this.exitStatus = new Promise((resolve) => {
      this.settle = (status) => {
        this.isSettled = true;
        resolve(status);
      };
    });
    const resumed = plan.resume?.checkpoint;
    this.history = resumed ? resumed.history.slice(0, resumed.epoch) : [];
    this.checkpoint = plan.resume ? { dir: plan.resume.runDir, epoch: resumed!.epoch } : null;
  }

  /** Ends the run as failed (the page or Chromium is gone). */
  fail(why: string): void {
    if (this.isSettled) return;
    this.terminal.note(`Training failed: ${why}.`);
    this.settle(EXIT_FAILED);
  }

  /** Handles `message` after the ones before it; resolves when it is done (files written). */
  handle(message: CliHostMessage): Promise<void> {
    const handled = this.queue.then(() => this.handleNow(message));
    this.queue = handled.catch((error: unknown) => {
      this.terminal.note(`Error: ${error instanceof Error ? error.message : String(error)}`);
      this.settle(EXIT_FAILED);
    });
    return handled;
  }

  private async handleNow(message: CliHostMessage): Promise<void> {
    const { terminal, plan } = this;
    switch (message.kind) {
      case 'loaded': {
        const split = message.split === 'train' ? 'Training set' : 'Test set';
        const seconds = (message.elapsedMs / 1000).toFixed(1);
        this.imageCounts[message.split] = message.count;
        this.loadedLines.push(
          `${split}: ${count(message.count)} images from ${message.sourceFiles.join(' + ')} (${seconds} s)`,
        );
        return;
      }
      case 'data-note':
        this.loadedLines.push(message.message);
        return;
      case 'data-error':
        terminal.note(message.message);
        this.settle(EXIT_USAGE);
        return;
      case 'backend':
        this.backend = message.info;
        // Printed only now, so that a rejected file leaves nothing on stdout but its message.
        for (const line of this.loadedLines) terminal.print(line);
        terminal.print(describeSettings(plan.params, { isSeedChosen: plan.isSeedChosen }));
        terminal.print(describeBackend(message.info));
        if (this.checkpoint) terminal.print(describeResumePoint(this.checkpoint.epoch));
        return;
      case 'batch':
        this.lastBatch = message.metrics;
        terminal.showBatch(message.metrics, plan.params.epochs);
        return;
      case 'epoch':
        this.history[message.metrics.epoch] = message.metrics;
        terminal.showEpoch(
          formatEpochLine(
            message.metrics,
            plan.params.epochs,
            epochSeconds(this.history, message.metrics.epoch),
          ),
        );
        return;
      case 'checkpoint':
        await writeCheckpointFiles(plan.outDir, message.checkpoint, {
          dataFiles: plan.dataFiles,
          backend: plan.backend,
          ...(plan.monitorTest ? { monitorTest: true } : {}),
        });
        this.checkpoint = { dir: plan.outDir, epoch: message.checkpoint.epoch };
        return;
      case 'checkpoint-error':
        terminal.note(
          `The checkpoint after epoch ${message.epochsCompleted} could not be kept: ${message.message}`,
        );
        return;
      case 'finished':
        this.settle(await this.finish(message));
        return;
      case 'failed':
        terminal.note(`Training failed: ${message.message}`);
        this.settle(EXIT_FAILED);
        return;
    }
  }

  private async finish(run: FinishedRun): Promise<number> {
    if (run.end === 'stopped') return this.finishStopped(run);
    const { plan, terminal } = this;
    if (!this.backend) throw new Error('The run ended without choosing a backend');
    const written = await writeRunFiles(plan.outDir, run, {
      runId: plan.runId,
      params: plan.params,
      backendRequest: backendRequestOf(plan.backend),
      backend: this.backend,
      data: {
        files: plan.dataFiles,
        trainImages: this.imageCounts.train,
        testImages: this.imageCounts.test,
      },
      ...(plan.resume ? { resumedAfterEpoch: plan.resume.checkpoint.epoch } : {}),
    });
    // A completed run cannot be continued: its checkpoint goes, as the tab's does.
    if (this.checkpoint?.dir === plan.outDir) removeCheckpointFiles(plan.outDir);
    terminal.print('');
    if (run.evaluation) for (const line of describeEvaluation(run.evaluation)) terminal.print(line);
    terminal.print('');
    if (run.keptEpoch !== undefined) {
      terminal.print(
        `The model has the weights of epoch ${run.keptEpoch + 1} (best validation accuracy).`,
      );
    }
    if (run.stoppedEarly) terminal.print(`Stopped early after epoch ${run.history.length}.`);
    const speed = run.samplesPerSec === null ? '' : ` · ${run.samplesPerSec.toFixed(1)} samples/s`;
    terminal.print(
      `Trained ${epochsText(run.history.length)} in ${Math.round(run.elapsedMs / 1000)} s${speed} · ${this.backend.name}`,
    );
    terminal.print(`Files in ${this.paths.show(plan.outDir)}/: ${written.join(', ')}`);
    return EXIT_OK;
  }

  private async finishStopped(run: FinishedRun): Promise<number> {
    const { plan, terminal, paths } = this;
    if (this.history.length > 0) await writeHistoryFile(plan.outDir, this.history);
    terminal.print(describeStop(run.history.length, plan.params.epochs, this.lastBatch));
    if (!this.checkpoint) {
      // A stop while the data loads, or a starting point that could not be kept (said above).
      terminal.print('There is no checkpoint to continue from: start the run again.');
      return EXIT_INTERRUPTED;
    }
    const { dir, epoch } = this.checkpoint;
    let command = `npm run train -- --resume ${paths.argument(dir)}`;
    if (dir !== plan.outDir) command += ` --out ${paths.argument(plan.outDir)}`;
    const what = epoch === 0 ? "The run's starting point" : `The checkpoint after epoch ${epoch}`;
    terminal.print(
      `${what} is in ${paths.show(dir)}/${CHECKPOINT_DIR_NAME}/. Continue the run with:`,
    );
    terminal.print(`  ${command}`);
    return EXIT_INTERRUPTED;
  }
}

/** `Resuming after epoch 3.`, or for a run stopped in its first epoch where it starts again. */
function describeResumePoint(epochsCompleted: number): string {
  return epochsCompleted === 0
    ? "Resuming from the run's starting point, at epoch 1."
    : `Resuming after epoch ${epochsCompleted}.`;
}

/**
 * `Stopped after 1 of 4 epochs (epoch 2 stopped after batch 37 of 400).`: the epochs kept, and
 * where in the epoch in progress the stop landed (that epoch's batches are trained again).
 */
function describeStop(
  epochsCompleted: number,
  epochs: number,
  lastBatch: BatchMetrics | null,
): string {
  const stopped = `Stopped after ${epochsCompleted} of ${epochsText(epochs)}`;
  if (lastBatch?.epoch !== epochsCompleted) return `${stopped}.`;
  const { epoch, batch, batchesPerEpoch } = lastBatch;
  return `${stopped} (epoch ${epoch + 1} stopped after batch ${batch + 1} of ${batchesPerEpoch}).`;
}

/** The engine's backend request for a --backend choice: an explicit webgl may be software. */
export function backendRequestOf(preference: BackendPreference) {
  return {
    preference,
    allowSoftwareWebgl: preference === 'webgl',
    allowWasmThreads: true,
  };
}
