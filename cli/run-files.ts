/**
 * The files a run leaves in --out: the model exactly as the tab's Download writes it (model
 * JSON, .weights.bin, .metadata.json), history.csv, metrics.json and the three chart images.
 */
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FinishedRun, RunCharts } from '../src/app/cli-host-protocol';
import { CLASS_NAMES } from '../src/config/dataset';
import { historyCsv } from '../src/storage/history-csv';
import { createModelDownloadFiles } from '../src/storage/model-download-files';
import { createModelMetadata, serializedModelSizeBytes } from '../src/storage/model-metadata';
import type {
  BackendInfo,
  BackendRequest,
  EpochMetrics,
  EvaluationResult,
  SerializedModel,
} from '../src/training/run-types';
import type { TrainingParams } from '../src/training/training-params';
import { defaultModelName } from '../src/ui/models/current-model';

export const HISTORY_FILE = 'history.csv';
export const METRICS_FILE = 'metrics.json';
export const CHART_FILES = {
  loss: 'loss.png',
  accuracy: 'accuracy.png',
  confusion: 'confusion.png',
};

/** What metrics.json records besides the run's own results. */
export interface RunRecordContext {
  runId: string;
  params: TrainingParams;
  backendRequest: BackendRequest;
  backend: BackendInfo;
  data: { files: string[]; trainImages: number; testImages: number };
  /** Epochs done before this process continued the run (--resume), else absent. */
  resumedAfterEpoch?: number;
}

const finiteOrNull = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : null);

export async function writeHistoryFile(outDir: string, history: EpochMetrics[]): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await writeFile(join(outDir, HISTORY_FILE), historyCsv(history));
}

function decodeModel(model: NonNullable<FinishedRun['model']>): SerializedModel {
  const bytes = Buffer.from(model.weightData, 'base64');
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return { ...model, weightData: weightData as ArrayBuffer };
}

/** Parameters of the trained model, counted from its weights (BatchNorm statistics are not trained). */
function parameterCounts(model: SerializedModel): { total: number; trainable: number } {
  let total = 0;
  let frozen = 0;
  for (const spec of model.weightSpecs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    total += size;
    if (/moving_(mean|variance)$/.test(spec.name)) frozen += size;
  }
  return { total, trainable: total - frozen };
}

function evaluationRecord(evaluation: EvaluationResult) {
  return {
    test: {
      images: evaluation.count,
      loss: evaluation.loss,
      accuracy: evaluation.accuracy,
      ...(evaluation.flipAveraged ? { flipAveraged: evaluation.flipAveraged } : {}),
    },
    perClass: CLASS_NAMES.map((name, label) => ({
      label,
      class: name,
      images: evaluation.confusion[label].reduce((a, b) => a + b, 0),
      accuracy: finiteOrNull(evaluation.perClassAccuracy[label]),
    })),
    confusionMatrix: {
      rows: 'true class',
      columns: 'predicted class',
      classes: [...CLASS_NAMES],
      counts: evaluation.confusion,
    },
  };
}

function metricsRecord(
  run: FinishedRun & { evaluation: EvaluationResult },
  model: SerializedModel,
  context: RunRecordContext,
  modelFiles: string[],
) {
  const last = run.history.at(-1);
  return {
    ...evaluationRecord(run.evaluation),
    epochs: {
      completed: run.history.length,
      ...(run.keptEpoch !== undefined ? { keptWeightsOfEpoch: run.keptEpoch + 1 } : {}),
      stoppedEarly: run.stoppedEarly ?? false,
      last: last && {
        loss: last.loss,
        accuracy: last.accuracy,
        valLoss: finiteOrNull(last.valLoss),
        valAccuracy: finiteOrNull(last.valAccuracy),
      },
    },
    training: {
      seconds: run.elapsedMs / 1000,
      samplesPerSecond: run.samplesPerSec,
      backend: context.backend,
    },
    parameters: parameterCounts(model),
    settings: {
      ...context.params,
      backend: context.backendRequest.preference,
      backendRequest: context.backendRequest,
      runId: context.runId,
      ...(context.resumedAfterEpoch !== undefined
        ? { resumedAfterEpoch: context.resumedAfterEpoch }
        : {}),
    },
    data: context.data,
    files: {
      model: modelFiles,
      history: HISTORY_FILE,
      charts: run.charts ? Object.values(CHART_FILES) : [],
    },
    tfjsVersion: context.backend.tfjsVersion,
    createdAt: new Date().toISOString(),
  };
}

async function writeCharts(outDir: string, charts: RunCharts): Promise<void> {
  await writeFile(join(outDir, CHART_FILES.loss), Buffer.from(charts.lossPng, 'base64'));
  await writeFile(join(outDir, CHART_FILES.accuracy), Buffer.from(charts.accuracyPng, 'base64'));
  await writeFile(join(outDir, CHART_FILES.confusion), Buffer.from(charts.confusionPng, 'base64'));
}

/** Writes every file of a completed run; returns the names written, in order. */
export async function writeRunFiles(
  outDir: string,
  run: FinishedRun,
  context: RunRecordContext,
): Promise<string[]> {
  if (!run.model || !run.evaluation) throw new Error('The run ended without a model to write');
  const model = decodeModel(run.model);
  const last = run.history.at(-1);
  const createdAt = new Date();
  // What the tab's Download writes for a model it just trained (src/ui/models/download.ts).
  const metadata = createModelMetadata({
    id: context.runId,
    name: defaultModelName(context.params.architectureId, createdAt),
    trainingParams: context.params,
    epochsCompleted: run.history.length,
    trainingAccuracy: finiteOrNull(last?.accuracy),
    validationAccuracy: finiteOrNull(last?.valAccuracy),
    testAccuracy: run.evaluation.accuracy,
    tfjsVersion: context.backend.tfjsVersion,
    createdAt,
    sizeBytes: serializedModelSizeBytes(model),
  });
  const modelFiles = createModelDownloadFiles(model, metadata, context.params.architectureId);
  mkdirSync(outDir, { recursive: true });
  for (const file of modelFiles) {
    await writeFile(join(outDir, file.name), Buffer.from(await file.blob.arrayBuffer()));
  }
  await writeHistoryFile(outDir, run.history);
  const names = modelFiles.map((file) => file.name);
  const record = metricsRecord({ ...run, evaluation: run.evaluation }, model, context, names);
  await writeFile(join(outDir, METRICS_FILE), JSON.stringify(record, null, 2) + '\n');
  if (run.charts) await writeCharts(outDir, run.charts);
  return [...names, HISTORY_FILE, METRICS_FILE, ...(run.charts ? Object.values(CHART_FILES) : [])];
}
