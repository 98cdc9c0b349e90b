/**
 * Composition root: the only place where data loading, training and the UI meet.
 */
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { LoadedSplit } from '../data/ingest-types';
import type { BackendPreference, RunEnd, TrainingParams } from '../training/training-protocol';
import { DatasetPanel } from '../ui/dataset/dataset-panel';
import { DatasetPreview } from '../ui/dataset/preview';
import { useDataset } from '../ui/dataset/use-dataset';
import { useKeptDataset } from '../ui/dataset/use-kept-dataset';
import { ResumePanel } from '../ui/training/resume-panel';
import { useResumableRun } from '../ui/training/use-resumable-run';
import { EpochTable } from '../ui/training/epoch-table';
import { EvaluationPanel } from '../ui/training/evaluation-panel';
import { RunsTable } from '../ui/training/runs-table';
import { TrainingControls } from '../ui/training/training-controls';
import { TrainingProgress } from '../ui/training/training-progress';
import { useTraining } from '../ui/training/use-training';
import type { SerializedModel } from '../training/training-shared';
import {
  defaultModelName,
  fromMetadata,
  newCurrentModelId,
  type CurrentModel,
} from '../ui/models/current-model';
import { ModelsPanel } from '../ui/models/models-panel';
import { TryItPanel } from '../ui/try-it/try-it-panel';
import { useSavedModels } from '../ui/models/use-saved-models';
import type { TrainedSummary } from '../ui/training/use-training';
import { readUrlOptions } from './url-options';

/** The dataset key names each split's row count first: `train:<n>:<hash>|test:<n>:<hash>`. */
function countsOfDatasetKey(key: string): { train: number; test: number } | null {
  const match = /^train:(\d+):[0-9a-f]+\|test:(\d+):[0-9a-f]+$/.exec(key);
  return match ? { train: Number(match[1]), test: Number(match[2]) } : null;
}

const datasetKeyLazily = (train: LoadedSplit, test: LoadedSplit) =>
  import('../storage/dataset-store').then((m) => m.datasetKey(train, test));

/** Model files are read by storage code loaded on first use. */
const readModelFilesLazily = (files: File[]) =>
  import('../storage/model-files').then((m) => m.readModelFiles(files));

// tfjs-vis and vega are most of the bundle; the first screen needs none of them.
const BatchCharts = lazy(() =>
  import('../ui/charts/training-charts').then((m) => ({ default: m.BatchCharts })),
);
const EpochCharts = lazy(() =>
  import('../ui/charts/training-charts').then((m) => ({ default: m.EpochCharts })),
);

const isRunActive = (status: string) =>
  status === 'starting' ||
  status === 'running' ||
  status === 'paused' ||
  status === 'stopping' ||
  status === 'evaluating';

export function App() {
  const urlOptions = useMemo(() => readUrlOptions(window.location.search), []);
  useEffect(() => {
    // Fetch and evaluate the charts chunk while the person is still choosing files, so that
    // its one long evaluation task does not land in the middle of training.
    // Warming up also runs vega's compile/parse code once on a throwaway chart, so the first
    // live chart during training does not pay for cold code (39 → 13 ms, see BENCHMARKS.md).
    const prefetch = () =>
      void import('../ui/charts/training-charts').then((m) => m.warmUpLineCharts());
    if ('requestIdleCallback' in window) {
      const handle = window.requestIdleCallback(prefetch, { timeout: 5000 });
      return () => window.cancelIdleCallback(handle);
    }
    const timer = setTimeout(prefetch, 2000);
    return () => clearTimeout(timer);
  }, []);
  const [backend, setBackend] = useState<BackendPreference>(urlOptions.backend);
  const [allowSoftwareWebgl, setAllowSoftwareWebgl] = useState(urlOptions.allowSoftwareWebgl);
  // The dataset hook reports loads to the keeper, which restores into the dataset hook: the
  // first direction goes through a ref because the keeper is created after the dataset.
  const keepRef = useRef<((loaded: LoadedSplit) => void) | null>(null);
  const onSplitLoaded = useCallback((loaded: LoadedSplit) => keepRef.current?.(loaded), []);
  const dataset = useDataset(onSplitLoaded);
  const kept = useKeptDataset(dataset.restore);
  useEffect(() => {
    keepRef.current = kept.keep;
  }, [kept.keep]);
  const resumable = useResumableRun();
  const isPreparingRunRef = useRef(false);
  const [resumeError, setResumeError] = useState<string | null>(null);
  /** datasetKey of the loaded train + test splits (null until both are loaded and hashed). */
  const [loadedDatasetKey, setLoadedDatasetKey] = useState<string | null>(null);
  const [currentModel, setCurrentModel] = useState<CurrentModel | null>(null);
  const [modelFilesError, setModelFilesError] = useState<string | null>(null);
  const savedModels = useSavedModels();
  const onTrained = useCallback((model: SerializedModel, summary: TrainedSummary) => {
    setCurrentModel({
      id: newCurrentModelId(),
      source: 'trained',
      name: defaultModelName(summary.params.architectureId, new Date()),
      model,
      architectureId: summary.params.architectureId,
      trainingParams: summary.params,
      epochsCompleted: summary.epochsCompleted,
      trainingAccuracy: summary.trainingAccuracy,
      validationAccuracy: summary.validationAccuracy,
      testAccuracy: summary.testAccuracy,
    });
  }, []);
  const trainingOptions = useMemo(
    () => ({
      onTrained,
      backendRequest: {
        preference: backend,
        allowSoftwareWebgl,
        allowWasmThreads: urlOptions.allowWasmThreads,
      },
      preferWorker: urlOptions.preferWorker,
    }),
    [backend, allowSoftwareWebgl, urlOptions.preferWorker, urlOptions.allowWasmThreads, onTrained],
  );
  const training = useTraining(trainingOptions);
  const { train, test } = dataset.state.splits;
  const { state: t } = training;

  useEffect(() => {
    if (!train || !test) return;
    let isCurrent = true;
    void datasetKeyLazily(train, test).then((key) => {
      if (isCurrent) setLoadedDatasetKey(key);
    });
    return () => {
      isCurrent = false;
      setLoadedDatasetKey(null);
    };
  }, [train, test]);

  /**
   * What a run does when it ends: a completed run's checkpoints go (discard refreshes the
   * offer); a stopped or failed one stays resumable, so only the offer is refreshed.
   */
  const forgetRunIfCompleted = useCallback(
    (runId: string) => (end: RunEnd) => {
      if (end === 'completed') void resumable.discard(runId).catch(resumable.refresh);
      else resumable.refresh();
    },
    [resumable],
  );

  /** Runs write a checkpoint per epoch when storage works; the finished run's is removed. */
  const startRun = useCallback(
    async (
      params: TrainingParams,
      data: { train: LoadedSplit; test: LoadedSplit },
      extra: { initialModel?: SerializedModel } = {},
    ) => {
      setResumeError(null);
      if (!resumable.isAvailable) {
        training.start(params, data, extra);
        return;
      }
      // A second click while the checkpoint bookkeeping below runs must not start a second run.
      if (isPreparingRunRef.current) return;
      isPreparingRunRef.current = true;
      const runId = crypto.randomUUID();
      let key: string;
      try {
        key = await datasetKeyLazily(data.train, data.test);
        // One unfinished run is kept at a time: a new run replaces the previous one's.
        await resumable.discardAll().catch(() => undefined);
      } finally {
        isPreparingRunRef.current = false;
      }
      training.start(params, data, {
        ...extra,
        checkpoint: { runId, datasetKey: key },
        onEnded: forgetRunIfCompleted(runId),
      });
    },
    [resumable, training, forgetRunIfCompleted],
  );

  const onResumeRun = useCallback(() => {
    const run = resumable.resumable;
    if (!run || !train || !test) return;
    setResumeError(null);
    void resumable.read(run.runId).then(
      (checkpoint) =>
        training.start(
          checkpoint.params,
          { train, test },
          {
            resume: checkpoint,
            checkpoint: { runId: checkpoint.runId, datasetKey: checkpoint.datasetKey },
            onEnded: forgetRunIfCompleted(checkpoint.runId),
          },
        ),
      (error: unknown) =>
        setResumeError(
          `The run could not be resumed: ${error instanceof Error ? error.message : String(error)}`,
        ),
    );
  }, [resumable, train, test, training, forgetRunIfCompleted]);

  const missingData = !train
    ? 'Load the training set first.'
    : !test
      ? 'Load the test set too: the model is evaluated on it.'
      : undefined;

  const onTrain = useCallback(
    (params: TrainingParams, continueCurrent: boolean) => {
      if (!train || !test) return;
      if (continueCurrent && currentModel?.architectureId) {
        void startRun(
          { ...params, architectureId: currentModel.architectureId },
          { train, test },
          { initialModel: currentModel.model },
        );
      } else {
        void startRun(params, { train, test });
      }
    },
    [train, test, startRun, currentModel],
  );

  const predictWithCurrent = useCallback(
    (images: Uint8Array) => {
      if (!currentModel) return Promise.reject(new Error('No model yet: train or load one first.'));
      return training.predict(currentModel.model, images, currentModel.id);
    },
    [currentModel, training],
  );

  /** A model from storage or files becomes current and, with a test set, is evaluated. */
  const adoptModel = useCallback(
    (model: CurrentModel) => {
      setCurrentModel(model);
      setModelFilesError(null);
      if (test) training.evaluate(model.model, test);
    },
    [test, training],
  );

  const onModelFiles = useCallback(
    (files: File[]) => {
      setModelFilesError(null);
      void readModelFilesLazily(files).then(
        ({ model, metadata }) => {
          const name =
            metadata?.name ?? files.find((f) => f.name.endsWith('.json'))?.name ?? 'model';
          adoptModel(
            metadata
              ? fromMetadata(model, metadata, 'file')
              : {
                  id: newCurrentModelId(),
                  source: 'file',
                  name: name.replace(/\.json$/, ''),
                  model,
                  architectureId: null,
                  trainingParams: null,
                  epochsCompleted: 0,
                  trainingAccuracy: null,
                  validationAccuracy: null,
                  testAccuracy: null,
                },
          );
        },
        (error: unknown) =>
          setModelFilesError(error instanceof Error ? error.message : String(error)),
      );
    },
    [adoptModel],
  );

  return (
    <main className="app">
      <header>
        <h1>Fashion-MNIST Studio</h1>
        <p className="muted">
          Train a convolutional network on Fashion-MNIST in this tab, watch it learn, keep the
          weights. Your data never leaves the page.
        </p>
      </header>

      <DatasetPanel controller={dataset} kept={kept} />
      <DatasetPreview splits={dataset.state.splits} />

      <section className="panel" aria-label="Training">
        <h2>2 · Train</h2>
        {resumable.resumable && !isRunActive(t.status) && (
          <ResumePanel
            run={resumable.resumable}
            hasMatchingData={loadedDatasetKey === resumable.resumable.datasetKey}
            expectedCounts={countsOfDatasetKey(resumable.resumable.datasetKey)}
            canStart={!isRunActive(t.status)}
            onResume={onResumeRun}
            onDiscard={() => void resumable.discard(resumable.resumable!.runId)}
            error={resumeError}
          />
        )}
        <TrainingControls
          status={t.status}
          canTrain={Boolean(train && test)}
          missingData={missingData}
          backend={backend}
          allowSoftwareWebgl={allowSoftwareWebgl}
          onBackendChange={(preference, allowSoftware) => {
            setBackend(preference);
            setAllowSoftwareWebgl(allowSoftware);
          }}
          onTrain={onTrain}
          continuableModelName={currentModel?.architectureId ? currentModel.name : undefined}
          onPause={training.pause}
          onResume={training.resume}
          onStop={training.stop}
        />
        <TrainingProgress
          status={t.status}
          params={t.params}
          backend={t.backend}
          lastBatch={t.lastBatch}
        />
        {t.error && (
          <p role="alert" className="alert">
            Training failed: {t.error}
          </p>
        )}
        {t.checkpointEpochs !== undefined && t.status !== 'idle' && (
          <p className="muted small" role="status" aria-label="Checkpoint">
            {t.resumedAtEpoch !== undefined &&
              `Resumed from the checkpoint after epoch ${t.resumedAtEpoch}. `}
            Checkpoint after epoch {t.checkpointEpochs} kept in this browser: a reload can resume
            from there.
          </p>
        )}
        {t.checkpointError && (
          <p role="alert" className="alert">
            {t.checkpointError}
          </p>
        )}
        {!resumable.isAvailable && (
          <p className="muted small">
            Checkpoints are off, so a reload cannot resume a run: {resumable.reason}
          </p>
        )}
        {/* Mounted (empty) as soon as the data is in: building the four vega views is several
            tasks of tens of ms, better spent before Train than beside a busy worker. */}
        {(t.status !== 'idle' || Boolean(train && test)) && urlOptions.showCharts && (
          <Suspense fallback={<p className="muted">Loading charts…</p>}>
            <BatchCharts getSeries={training.getBatchSeries} version={t.lastBatch} />
            <EpochCharts epochs={t.epochs} />
          </Suspense>
        )}
        <EpochTable epochs={t.epochs} resumedAtEpoch={t.resumedAtEpoch} />
      </section>

      {t.evaluation && (
        <EvaluationPanel
          evaluation={t.evaluation}
          lastEpoch={t.epochs.at(-1)}
          end={t.end}
          test={test}
        />
      )}
      <RunsTable runs={t.runs} />
      <ModelsPanel
        current={currentModel}
        saved={savedModels}
        onUseModel={adoptModel}
        onModelFiles={onModelFiles}
        modelFilesError={modelFilesError}
        predict={predictWithCurrent}
        test={test}
      />
      <TryItPanel current={currentModel} predict={predictWithCurrent} test={test} />
    </main>
  );
}
