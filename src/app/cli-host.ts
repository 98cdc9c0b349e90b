/**
 * The command line's host page (cli-host.html, a page of the production build): the tab's own
 * engine, driven from Node (cli/) through playwright. It reads the chosen files with the app's
 * loader, trains with the page's training session (the worker engine, checkpoints in this
 * browser's IndexedDB), forwards each checkpoint to Node as it is stored, and draws the
 * finished run's charts with the tab's chart code. See cli-host-protocol.ts for the messages.
 */
import { errorMessage } from '../shared/errors';
import { createCheckpointStore, type CheckpointStore } from '../storage/checkpoint-store';
import type { BatchMetrics } from '../training/run-types';
import type { TrainingRunResult } from '../training/run-messages';
import type { TrainingSession, TrainingStartOptions } from '../training/training-session-types';
import { DataProblem, findResumeDataProblem, loadData, type LoadedData } from './cli-host-data';
import {
  CLI_HOST_GLOBAL,
  CLI_REPORT_BINDING,
  decodeCheckpoint,
  encodeCheckpoint,
  encodeModel,
  type CliHostApi,
  type CliHostMessage,
  type CliRunConfig,
  type RunCharts,
} from './cli-host-protocol';
import { createPageTrainingSession } from './training-session';

type Report = (message: CliHostMessage) => Promise<void>;

declare global {
  interface Window {
    [CLI_REPORT_BINDING]?: Report;
    [CLI_HOST_GLOBAL]?: CliHostApi;
  }
}

/** Sends a message to Node; resolves once Node has handled it. */
const report: Report = (message) => {
  const binding = window[CLI_REPORT_BINDING];
  if (!binding) return Promise.reject(new Error('The command line is not listening'));
  return binding(message);
};

const PNG_DATA_URL_PREFIX = 'data:image/png;base64,';

type ChartImagesModule = typeof import('../ui/charts/chart-images');

/**
 * The chart code, fetched when training starts rather than when it ends: vega and tfjs-vis are
 * too large for the page's first load, and a run of hours must not depend on dist/ still
 * holding the same chunk at its end (a rebuild, e.g. by another `npm run train`, renames it).
 */
function preloadChartImages(): Promise<ChartImagesModule> {
  const loading = import('../ui/charts/chart-images');
  // Awaited at the end only by completed runs; a stopped run's failed fetch is nobody's error.
  loading.catch(() => undefined);
  return loading;
}

/** The run's three chart images, base64 PNG. */
async function drawCharts(
  run: TrainingRunResult,
  chartImages: Promise<ChartImagesModule>,
): Promise<RunCharts | undefined> {
  if (run.history.length === 0 || !run.evaluation) return undefined;
  const { drawRunChartImages } = await chartImages;
  const images = await drawRunChartImages(run.history, run.evaluation);
  const strip = (url: string) => url.slice(PNG_DATA_URL_PREFIX.length);
  return {
    lossPng: strip(images.loss),
    accuracyPng: strip(images.accuracy),
    confusionPng: strip(images.confusion),
  };
}

/** Reads the run's latest checkpoint back from IndexedDB and hands it to Node. */
async function forwardCheckpoint(
  store: CheckpointStore,
  runId: string,
  epochsCompleted: number,
): Promise<void> {
  try {
    const stored = await store.readLatestCheckpoint(runId);
    if (!stored) throw new Error('the checkpoint is not in this browser');
    await report({ kind: 'checkpoint', checkpoint: encodeCheckpoint(stored) });
  } catch (error) {
    const message = `it could not be read back: ${errorMessage(error)}`;
    await report({ kind: 'checkpoint-error', epochsCompleted, message });
  }
}

/**
 * Checkpoints from the run's start (so a stop in epoch 1 can be continued too), and how a
 * checkpoint's contents start the engine again (the tab's resume does the same).
 */
function resumeOptions(config: CliRunConfig, data: LoadedData): TrainingStartOptions {
  const checkpoint = { runId: config.runId, datasetKey: data.key, includeStart: true };
  const monitorTest = config.monitorTest ? { monitorTest: true } : {};
  if (!config.resume) return { checkpoint, ...monitorTest };
  const resumed = decodeCheckpoint(config.resume);
  return {
    checkpoint,
    ...monitorTest,
    initialModel: resumed.model,
    resumeFrom: {
      epochsCompleted: resumed.epoch,
      history: resumed.history,
      elapsedMs: resumed.elapsedMs,
      shuffleSeed: resumed.shuffleSeed,
      optimizerState: resumed.optimizerState,
      best: resumed.best,
    },
  };
}

/** One run from start to its last message; only one per page. */
class CliRun {
  private session: TrainingSession | null = null;
  private isStopRequested = false;
  private lastBatch: BatchMetrics | null = null;
  /** Checkpoints are forwarded one after another; the run's end waits for the last. */
  private forwarding: Promise<void> = Promise.resolve();

  constructor(private readonly config: CliRunConfig) {}

  stop(): void {
    this.isStopRequested = true;
    this.session?.stop();
  }

  async run(files: FileList): Promise<void> {
    let data: LoadedData;
    try {
      data = await this.load(files);
    } catch (error) {
      if (!(error instanceof DataProblem)) throw error;
      await report({ kind: 'data-error', message: error.message });
      return;
    }
    if (this.isStopRequested) {
      await report({
        kind: 'finished',
        end: 'stopped',
        history: [],
        elapsedMs: 0,
        samplesPerSec: null,
      });
      return;
    }
    const chartImages = preloadChartImages();
    const result = await this.train(data);
    await this.forwarding;
    if (result.end === 'failed') {
      await report({ kind: 'failed', message: result.errorMessage ?? 'unknown error' });
      return;
    }
    const isCompleted = result.end === 'completed';
    await report({
      kind: 'finished',
      end: result.end,
      history: result.history,
      elapsedMs: result.elapsedMs,
      samplesPerSec: this.lastBatch?.samplesPerSec ?? null,
      evaluation: result.evaluation,
      keptEpoch: result.keptEpoch,
      stoppedEarly: result.stoppedEarly,
      ...(isCompleted && result.model ? { model: encodeModel(result.model) } : {}),
      ...(isCompleted ? { charts: await drawCharts(result, chartImages) } : {}),
    });
  }

  private async load(files: FileList): Promise<LoadedData> {
    const data = await loadData(
      this.config.sources,
      files,
      (split) =>
        report({
          kind: 'loaded',
          split: split.split,
          count: split.count,
          sourceFiles: split.sourceFiles,
          parser: split.parser,
          elapsedMs: split.elapsedMs,
        }),
      (message) => report({ kind: 'data-note', message }),
    );
    const problem =
      this.config.resume && findResumeDataProblem(data, this.config.resume.datasetKey);
    if (problem) throw new DataProblem(problem);
    return data;
  }

  private async train(data: LoadedData): Promise<TrainingRunResult> {
    const { config } = this;
    const store = createCheckpointStore();
    this.session = createPageTrainingSession(true);
    try {
      return await this.session.start(
        {
          train: { images: data.train.images, labels: data.train.labels },
          test: { images: data.test.images, labels: data.test.labels },
        },
        config.params,
        config.backendRequest,
        {
          onBackend: (info) => void report({ kind: 'backend', info }),
          onBatch: (metrics) => {
            this.lastBatch = metrics;
            void report({ kind: 'batch', metrics });
          },
          onEpoch: (metrics) => void report({ kind: 'epoch', metrics }),
          onCheckpoint: (epochsCompleted) => {
            this.forwarding = this.forwarding.then(() =>
              forwardCheckpoint(store, config.runId, epochsCompleted),
            );
          },
          onCheckpointError: (epochsCompleted, message) =>
            void report({ kind: 'checkpoint-error', epochsCompleted, message }),
        },
        resumeOptions(config, data),
      );
    } finally {
      this.session.dispose();
    }
  }
}

function fileInput(): HTMLInputElement {
  const input = document.getElementById('dataset-files');
  if (!(input instanceof HTMLInputElement)) throw new Error('The host page has no file input');
  return input;
}

let current: CliRun | null = null;

window[CLI_HOST_GLOBAL] = {
  start(config) {
    if (current) throw new Error('A run has already started in this page');
    const run = new CliRun(config);
    current = run;
    run.run(fileInput().files ?? new DataTransfer().files).catch((error: unknown) => {
      void report({ kind: 'failed', message: errorMessage(error) });
    });
  },
  stop() {
    current?.stop();
  },
};
