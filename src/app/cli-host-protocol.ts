/**
 * What the command line (cli/, in Node) and its host page (cli-host.ts, in headless Chromium)
 * say to each other. Node starts a run with `window.__fmsCliHost.start(config)` and stops it
 * with `stop()`; the page reports every step through the binding `window.__fmsCliReport`,
 * awaiting it where Node must have finished (a checkpoint on disk) before the run goes on.
 * Only JSON-like data crosses CDP, so every ArrayBuffer travels as a base64 string.
 */
import type { SplitName } from '../config/dataset';
import type { ParserPath } from '../data/ingest-types';
import type { TrainingCheckpoint } from '../training/checkpoint';
import type {
  BackendInfo,
  BackendRequest,
  BatchMetrics,
  EpochMetrics,
  EvaluationResult,
  SerializedModel,
} from '../training/run-types';
import type { TrainingParams } from '../training/training-params';

/** The global names both sides use. */
export const CLI_HOST_GLOBAL = '__fmsCliHost';
export const CLI_REPORT_BINDING = '__fmsCliReport';

/** Bytes as base64 (RFC 4648, with padding). */
export type Base64 = string;

/** Where one split comes from: indices into the files chosen in the page's file input. */
export type SplitSource =
  | { split: SplitName; kind: 'csv'; file: number }
  | { split: SplitName; kind: 'idx'; images: number; labels: number };

/**
 * A ZIP archive of the whole dataset (Kaggle's archive.zip): the page chooses one source per
 * split inside it, as the tab does with a dropped archive.
 */
export interface ArchiveSource {
  kind: 'archive';
  file: number;
}

export type DataSource = SplitSource | ArchiveSource;

/** The files that make a split, for messages about a missing one (command line and page). */
export const EXPECTED_SPLIT_FILES: Record<SplitName, string> = {
  train: 'fashion-mnist_train.csv, or train-images-idx3-ubyte and train-labels-idx1-ubyte',
  test: 'fashion-mnist_test.csv, or t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte',
};

/** A SerializedModel with its weights as base64. */
export interface EncodedModel {
  modelTopology: object;
  weightSpecs: SerializedModel['weightSpecs'];
  weightData: Base64;
}

/** A TrainingCheckpoint with every ArrayBuffer as base64. */
export interface EncodedCheckpoint extends Omit<
  TrainingCheckpoint,
  'model' | 'optimizerState' | 'best'
> {
  model: EncodedModel;
  optimizerState: (Omit<TrainingCheckpoint['optimizerState'][number], 'data'> & {
    data: Base64;
  })[];
  best?: { epoch: number; valAccuracy: number; weightData?: Base64 };
}

/** One run, as Node asks for it. */
export interface CliRunConfig {
  /** Names the run's checkpoints (a resumed run keeps its own). */
  runId: string;
  params: TrainingParams;
  backendRequest: BackendRequest;
  /** One source per split, train and test. */
  sources: DataSource[];
  /** Continue this checkpoint instead of starting afresh; `params` must be its own. */
  resume?: EncodedCheckpoint;
  /** Evaluate the test split after every epoch too (EpochMetrics.testAccuracy). */
  monitorTest?: boolean;
}

/** The run's charts as PNG images, drawn with the tab's chart code. */
export interface RunCharts {
  lossPng: Base64;
  accuracyPng: Base64;
  confusionPng: Base64;
}

/** How a run ended, with everything Node writes to disk. */
export interface FinishedRun {
  end: 'completed' | 'stopped';
  history: EpochMetrics[];
  /** Training time, ms, pauses excluded, time before a resume included. */
  elapsedMs: number;
  /** Throughput of the run's last batch, samples/s (as the tab's status line shows it). */
  samplesPerSec: number | null;
  evaluation?: EvaluationResult;
  model?: EncodedModel;
  keptEpoch?: number;
  stoppedEarly?: boolean;
  /** Drawn for a completed run that trained at least one epoch. */
  charts?: RunCharts;
}

/** What the page reports, in order: data, backend, batches and epochs, then one ending. */
export type CliHostMessage =
  | {
      kind: 'loaded';
      split: SplitName;
      count: number;
      sourceFiles: string[];
      parser: ParserPath;
      elapsedMs: number;
    }
  /** Which entries of an archive were used for each split, and which were ignored. */
  | { kind: 'data-note'; message: string }
  /** A file was rejected (the tab's message), or the data is not the resumed run's. */
  | { kind: 'data-error'; message: string }
  | { kind: 'backend'; info: BackendInfo }
  | { kind: 'batch'; metrics: BatchMetrics }
  | { kind: 'epoch'; metrics: EpochMetrics }
  /**
   * The checkpoint after `checkpoint.epoch` epochs (0: the run's starting point, sent before
   * its first batch), read back from the page's IndexedDB.
   */
  | { kind: 'checkpoint'; checkpoint: EncodedCheckpoint }
  | { kind: 'checkpoint-error'; epochsCompleted: number; message: string }
  | ({ kind: 'finished' } & FinishedRun)
  | { kind: 'failed'; message: string };

/** What the host page puts on `window[CLI_HOST_GLOBAL]`. */
export interface CliHostApi {
  /** Starts the run; everything after comes through the report binding. */
  start(config: CliRunConfig): void;
  /** Stops the run at the next batch boundary. */
  stop(): void;
}

/** Base64 of `bytes`, in chunks (String.fromCharCode takes a bounded argument list). */
export function bytesToBase64(bytes: ArrayBuffer): Base64 {
  const view = new Uint8Array(bytes);
  const CHUNK_BYTES = 0x8000;
  let binary = '';
  for (let start = 0; start < view.length; start += CHUNK_BYTES) {
    binary += String.fromCharCode(...view.subarray(start, start + CHUNK_BYTES));
  }
  return btoa(binary);
}

export function base64ToBytes(text: Base64): ArrayBuffer {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

export function encodeModel(model: SerializedModel): EncodedModel {
  return { ...model, weightData: bytesToBase64(model.weightData) };
}

export function decodeModel(model: EncodedModel): SerializedModel {
  return { ...model, weightData: base64ToBytes(model.weightData) };
}

export function encodeCheckpoint(checkpoint: TrainingCheckpoint): EncodedCheckpoint {
  const { best } = checkpoint;
  return {
    runId: checkpoint.runId,
    epoch: checkpoint.epoch,
    params: checkpoint.params,
    history: checkpoint.history,
    model: encodeModel(checkpoint.model),
    optimizerState: checkpoint.optimizerState.map((entry) => ({
      ...entry,
      data: bytesToBase64(entry.data),
    })),
    elapsedMs: checkpoint.elapsedMs,
    shuffleSeed: checkpoint.shuffleSeed,
    datasetKey: checkpoint.datasetKey,
    ...(best
      ? {
          best: {
            epoch: best.epoch,
            valAccuracy: best.valAccuracy,
            ...(best.weightData ? { weightData: bytesToBase64(best.weightData) } : {}),
          },
        }
      : {}),
  };
}

export function decodeCheckpoint(checkpoint: EncodedCheckpoint): TrainingCheckpoint {
  const { model, optimizerState, best, ...run } = checkpoint;
  return {
    ...run,
    model: decodeModel(model),
    optimizerState: optimizerState.map((entry) => ({ ...entry, data: base64ToBytes(entry.data) })),
    ...(best
      ? {
          best: {
            epoch: best.epoch,
            valAccuracy: best.valAccuracy,
            ...(best.weightData ? { weightData: base64ToBytes(best.weightData) } : {}),
          },
        }
      : {}),
  };
}
