/**
 * Composition root: the page's outline, and the only place where data loading, training,
 * storage and the UI meet.
 */
import { useMemo } from 'react';
import { useChartWarmUp } from '../ui/charts/use-chart-warm-up';
import { useExperimentSlot } from '../ui/experiment/experiment-slot';
import { DatasetPanel } from '../ui/dataset/dataset-panel';
import { DatasetPreview } from '../ui/dataset/preview';
import { useLoadedDataset } from '../ui/dataset/use-loaded-dataset';
import { ModelsPanel } from '../ui/models/models-panel';
import { useCurrentModel } from '../ui/models/use-current-model';
import { useSavedModels } from '../ui/models/use-saved-models';
import { EvaluationPanel } from '../ui/training/evaluation-panel';
import { TrainingSection } from '../ui/training/training-section';
import { RunsSection } from '../ui/training/runs-section';
import { useRunHistory } from '../ui/training/use-run-history';
import { useRunLauncher } from '../ui/training/use-run-launcher';
import { useTraining } from '../ui/training/use-training';
import { TryItPanel } from '../ui/try-it/try-it-panel';
import { UpdateReady } from '../ui/feedback/update-ready';
import { readUrlOptions } from './url-options';
import { useAppUpdate } from './use-app-update';
import { useTrainingOptions } from './use-training-options';

export function App() {
  const urlOptions = useMemo(() => readUrlOptions(window.location.search), []);
  useChartWarmUp();
  const appUpdate = useAppUpdate();
  const { backend, setBackend, trainingOptions } = useTrainingOptions(urlOptions);
  const { dataset, kept } = useLoadedDataset();
  const splits = dataset.state.splits;
  const training = useTraining(trainingOptions);
  const models = useCurrentModel(training, splits.test);
  const runHistory = useRunHistory();
  const launcher = useRunLauncher(training, splits, models.adoptTrained, runHistory.add);
  const savedModels = useSavedModels();
  const { state } = training;
  const experiment = useExperimentSlot({ launcher, runHistory, splits, state }, trainingOptions);
  // Sections are numbered in page order; Results (3) is there only after an evaluation.
  const keepSectionNumber = state.evaluation ? 4 : 3;

  return (
    <main className="app">
      <header>
        <h1>Fashion-MNIST Studio</h1>
        <p className="muted">
          Train a convolutional network on Fashion-MNIST in this tab, watch it learn, keep the
          weights. Your data never leaves the page.
        </p>
        {appUpdate.isUpdateReady && <UpdateReady onReload={appUpdate.applyUpdate} />}
      </header>
      <DatasetPanel controller={dataset} kept={kept} />
      <DatasetPreview splits={splits} />
      <TrainingSection
        training={training}
        launcher={launcher}
        splits={splits}
        current={models.current}
        backend={backend}
        onBackendChange={setBackend}
        showCharts={urlOptions.showCharts}
        experiment={experiment}
      />
      {state.evaluation && (
        <EvaluationPanel
          evaluation={state.evaluation}
          lastEpoch={
            state.keptEpoch === undefined ? state.epochs.at(-1) : state.epochs[state.keptEpoch]
          }
          end={state.end}
          test={splits.test}
        />
      )}
      <RunsSection history={runHistory} />
      <ModelsPanel
        current={models.current}
        saved={savedModels}
        onUseModel={models.adopt}
        onModelFiles={models.readFiles}
        modelFilesError={models.filesError}
        predict={models.predict}
        test={splits.test}
        sectionNumber={keepSectionNumber}
      />
      <TryItPanel
        current={models.current}
        predict={models.predict}
        test={splits.test}
        sectionNumber={keepSectionNumber + 1}
      />
    </main>
  );
}
