/**
 * The model the page works with (just trained, loaded from this browser, or read from files):
 * which one it is, how it becomes current, and its predictions. A model that becomes current
 * while a test set is loaded is evaluated on it.
 */
import { useCallback, useState } from 'react';
import type { LoadedSplit } from '../../data/ingest-types';
import { errorMessage } from '../../shared/errors';
import type { SerializedModel } from '../../training/run-types';
import type { TrainedSummary } from '../training/training-run-options';
import type { TrainingController } from '../training/use-training';
import { defaultModelName, fromFiles, fromTraining, type CurrentModel } from './current-model';

export interface CurrentModelController {
  current: CurrentModel | null;
  /** Why the latest `Model files` could not be read, if they could not. */
  filesError: string | null;
  /** Makes a model from storage or files current (and evaluates it on the test set). */
  adopt: (model: CurrentModel) => void;
  /** Makes a just-trained model current (the run has evaluated it already). */
  adoptTrained: (model: SerializedModel, summary: TrainedSummary) => void;
  /** Reads a model JSON, its weights and optionally its metadata, and adopts the model. */
  readFiles: (files: File[]) => void;
  /** The current model's probabilities, float32 [n × 10], for uint8 [n × 784] images. */
  predict: (images: Uint8Array) => Promise<Float32Array>;
}

/** Model files are read by storage code loaded on first use. */
const readModelFilesLazily = (files: File[]) =>
  import('../../storage/model-upload').then((m) => m.readModelFiles(files));

export function useCurrentModel(
  training: Pick<TrainingController, 'evaluate' | 'predict'>,
  test: LoadedSplit | undefined,
): CurrentModelController {
  const [current, setCurrent] = useState<CurrentModel | null>(null);
  const [filesError, setFilesError] = useState<string | null>(null);
  const { evaluate, predict: predictWith } = training;

  const adoptTrained = useCallback((model: SerializedModel, summary: TrainedSummary) => {
    const name = defaultModelName(summary.params.architectureId, new Date());
    setCurrent(fromTraining(model, name, summary));
  }, []);

  const adopt = useCallback(
    (model: CurrentModel) => {
      setCurrent(model);
      setFilesError(null);
      if (test) evaluate(model.model, test);
    },
    [test, evaluate],
  );

  const readFiles = useCallback(
    (files: File[]) => {
      setFilesError(null);
      void readModelFilesLazily(files).then(
        ({ model, metadata }) => adopt(fromFiles(model, metadata, files)),
        (error: unknown) => setFilesError(errorMessage(error)),
      );
    },
    [adopt],
  );

  const predict = useCallback(
    (images: Uint8Array) => {
      if (!current) return Promise.reject(new Error('No model yet: train or load one first.'));
      return predictWith(current.model, images, current.id);
    },
    [current, predictWith],
  );

  return { current, filesError, adopt, adoptTrained, readFiles, predict };
}
