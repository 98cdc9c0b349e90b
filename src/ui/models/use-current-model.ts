/**
 * The model the page works with (just trained, loaded from this browser, or read from files):
 * which one it is, how it becomes current, and its predictions. A model that becomes current
 * while a test set is loaded is evaluated on it.
 */
import { useCallback, useRef, useState } from 'react';
import type { LoadedSplit } from '../../data/ingest-types';
import { errorMessage } from '../../shared/errors';
import type { SerializedModel } from '../../training/run-types';
import type { TrainedSummary } from '../training/training-run-options';
import type { TrainingController } from '../training/use-training';
import { defaultModelName, fromFiles, fromTraining, type CurrentModel } from './current-model';

export interface CurrentModelController {
  current: CurrentModel | null;
  /** Why the latest `Model files` could not be used, if they could not. */
  filesError: string | null;
  /** Makes a model from storage or files current (and evaluates it on the test set). */
  adopt: (model: CurrentModel) => void;
  /** Makes a just-trained model current (the run has evaluated it already). */
  adoptTrained: (model: SerializedModel, summary: TrainedSummary) => void;
  /**
   * Reads a model JSON, its weights and optionally its metadata, builds the model where
   * predictions run, and adopts it only once it has built: a failure keeps the current model.
   */
  readFiles: (files: File[]) => void;
  /** The current model's probabilities, float32 [n × 10], for uint8 [n × 784] images. */
  predict: (images: Uint8Array) => Promise<Float32Array>;
}

/**
 * The model in `files`, built by `predict` (the engine that will run it) before anything is
 * adopted. The storage code that reads files is loaded on first use.
 */
async function readAndBuildModel(
  files: File[],
  predict: TrainingController['predict'],
): Promise<CurrentModel> {
  const [upload, buildCheck] = await Promise.all([
    import('../../storage/model-upload'),
    import('../../storage/model-build-check'),
  ]);
  const read = await upload.readModelFiles(files);
  const candidate = fromFiles(read.model, read.metadata, read.modelFileName);
  // Under the id it will be used with, so the engine keeps the built model for its predictions.
  await buildCheck.checkModelBuilds(read, (model, images) => predict(model, images, candidate.id));
  return candidate;
}

export function useCurrentModel(
  training: Pick<TrainingController, 'evaluate' | 'predict'>,
  test: LoadedSplit | undefined,
): CurrentModelController {
  const [current, setCurrent] = useState<CurrentModel | null>(null);
  const [filesError, setFilesError] = useState<string | null>(null);
  /** The latest `Model files` choice; an earlier one that settles later is dropped. */
  const latestRead = useRef(0);
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
      const read = ++latestRead.current;
      void readAndBuildModel(files, predictWith).then(
        (model) => {
          if (read === latestRead.current) adopt(model);
        },
        (error: unknown) => {
          if (read === latestRead.current) setFilesError(errorMessage(error));
        },
      );
    },
    [adopt, predictWith],
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
