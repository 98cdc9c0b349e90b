/**
 * Composition root: the only place where data loading, training and the UI meet.
 */
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import type { BackendPreference, TrainingParams } from '../training/training-protocol';
import { DatasetPanel } from '../ui/dataset/dataset-panel';
import { DatasetPreview } from '../ui/dataset/preview';
import { useDataset } from '../ui/dataset/use-dataset';
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

export function App() {
  const urlOptions = useMemo(() => readUrlOptions(window.location.search), []);
  useEffect(() => {
    // Fetch and evaluate the charts chunk while the person is still choosing files, so that
    // its one long evaluation task does not land in the middle of training.
    const prefetch = () => void import('../ui/charts/training-charts');
    if ('requestIdleCallback' in window) {
      const handle = window.requestIdleCallback(prefetch, { timeout: 5000 });
      return () => window.cancelIdleCallback(handle);
    }
    const timer = setTimeout(prefetch, 2000);
    return () => clearTimeout(timer);
  }, []);
  const [backend, setBackend] = useState<BackendPreference>(urlOptions.backend);
  const [allowSoftwareWebgl, setAllowSoftwareWebgl] = useState(urlOptions.allowSoftwareWebgl);
  const dataset = useDataset();
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

  const missingData = !train
    ? 'Load the training set first.'
    : !test
      ? 'Load the test set too: the model is evaluated on it.'
      : undefined;

  const onTrain = useCallback(
    (params: TrainingParams, continueCurrent: boolean) => {
      if (!train || !test) return;
      if (continueCurrent && currentModel?.architectureId) {
        training.start(
          { ...params, architectureId: currentModel.architectureId },
          { train, test },
          currentModel.model,
        );
      } else {
        training.start(params, { train, test });
      }
    },
    [train, test, training, currentModel],
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

      <DatasetPanel controller={dataset} />
      <DatasetPreview splits={dataset.state.splits} />

      <section className="panel" aria-label="Training">
        <h2>2 · Train</h2>
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
        {t.status !== 'idle' && urlOptions.showCharts && (
          <Suspense fallback={<p className="muted">Loading charts…</p>}>
            <BatchCharts getSeries={training.getBatchSeries} version={t.lastBatch} />
            <EpochCharts epochs={t.epochs} />
          </Suspense>
        )}
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
      />
      <TryItPanel current={currentModel} predict={predictWithCurrent} test={test} />
    </main>
  );
}
