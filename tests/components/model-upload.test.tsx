/**
 * `Model files` with the page's own hook and the engine's own request handler for predictions
 * (model-requests.ts, cpu backend; the engine itself cannot load in this simulated DOM, whose
 * module loader refuses its WASM kernels): model files that read well but do not build leave
 * the model in use, trained in this tab and not saved, and the alert names the model JSON and
 * what is wrong; files that build become the current model.
 */
import * as tf from '@tensorflow/tfjs';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useEffect, useMemo } from 'react';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { NUM_CLASSES } from '../../src/config/dataset';
import { createModel } from '../../src/model/architectures';
import { createModelDownloadFiles } from '../../src/storage/model-download-files';
import { createModelRequests, type ModelRequests } from '../../src/training/model-requests';
import type { SerializedModel } from '../../src/training/run-types';
import { serializeModel } from '../../src/training/serialized-model';
import { ModelsPanel } from '../../src/ui/models/models-panel';
import { useCurrentModel } from '../../src/ui/models/use-current-model';
import type { SavedModelsController } from '../../src/ui/models/use-saved-models';
import { CPU_BACKEND_REQUEST, smallConv1Params, smallEngineData } from '../unit/training/real-data';

const PARAMS = smallConv1Params(1);
/** A real run's end can take a while on the loaded 2-core machine. */
const SETUP_TIMEOUT_MS = 300_000;
const BUILD_TIMEOUT_MS = 60_000;

let requests: ModelRequests;
let trained: SerializedModel;
let modelJsonText: string;
let weights: ArrayBuffer;

/** conv1 trained for one epoch on real training rows, as a run of PARAMS would. */
async function trainConv1(): Promise<SerializedModel> {
  const { train } = smallEngineData();
  const count = train.labels.length;
  const model = createModel(PARAMS.architectureId, { seed: PARAMS.seed });
  model.compile({ optimizer: tf.train.adam(PARAMS.learningRate), loss: 'categoricalCrossentropy' });
  const xs = tf.tidy(() => tf.tensor4d(train.images, [count, 28, 28, 1], 'float32').div(255));
  const ys = tf.oneHot(tf.tensor1d(train.labels, 'int32'), NUM_CLASSES);
  await model.fit(xs, ys, { epochs: 1, batchSize: PARAMS.batchSize });
  tf.dispose([xs, ys]);
  const serialized = await serializeModel(model);
  model.dispose();
  return serialized;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  requests = createModelRequests({
    ensureBackend: () => Promise.resolve(),
    emit: () => undefined,
    evaluation: { batchSize: 32, yieldToEventLoop: () => Promise.resolve() },
  });
  trained = await trainConv1();
  const [json, bin] = createModelDownloadFiles(trained, null, 'upload');
  modelJsonText = await json.blob.text();
  weights = await bin.blob.arrayBuffer();
}, SETUP_TIMEOUT_MS);

afterAll(() => requests.dispose());

/** Storage is not what this test is about: a panel with nothing saved. */
const NOTHING_SAVED: SavedModelsController = {
  unavailableReason: null,
  entries: [],
  isBusy: false,
  error: null,
  notice: null,
  save: vi.fn(async () => null),
  load: vi.fn(async () => null),
  remove: vi.fn(async () => undefined),
  clearMessages: vi.fn(),
  notify: vi.fn(),
};

let requestCount = 0;

/** The page's wiring of `Model files`: useCurrentModel over the session, and the panel. */
function KeepTheModel() {
  const training = useMemo(
    () => ({
      evaluate: () => undefined,
      predict: (model: SerializedModel, images: Uint8Array, modelId: string) =>
        requests.predict({
          requestId: ++requestCount,
          modelId,
          model,
          images,
          backendRequest: CPU_BACKEND_REQUEST,
        }),
    }),
    [],
  );
  const models = useCurrentModel(training, undefined);
  const { adoptTrained } = models;
  useEffect(() => {
    adoptTrained(trained, {
      params: PARAMS,
      epochsCompleted: 1,
      trainingAccuracy: null,
      validationAccuracy: null,
      testAccuracy: null,
    });
  }, [adoptTrained]);
  return (
    <ModelsPanel
      current={models.current}
      saved={NOTHING_SAVED}
      onUseModel={models.adopt}
      onModelFiles={models.readFiles}
      modelFilesError={models.filesError}
      sectionNumber={4}
    />
  );
}

/** The downloaded model's files, its first layer's kernel size set to `kernelSize`. */
function modelFiles(kernelSize: number): File[] {
  const json = JSON.parse(modelJsonText) as {
    modelTopology: { config: { layers: { config: Record<string, unknown> }[] } };
  };
  json.modelTopology.config.layers[0].config.kernel_size = [kernelSize, kernelSize];
  return [
    new File([JSON.stringify(json)], 'upload.json'),
    new File([weights], 'upload.weights.bin'),
  ];
}

const currentModelLine = () => screen.getByText(/^Current model:/).textContent;

describe('Model files that do not build', () => {
  test(
    'keep the current model and say which file and what is wrong; files that build replace it',
    async () => {
      const user = userEvent.setup();
      render(<KeepTheModel />);
      await waitFor(() => expect(currentModelLine()).toMatch(/\(trained in this tab, /));
      const trainedLine = currentModelLine();

      await user.upload(screen.getByLabelText('Model files'), modelFiles(5));
      const alert = await screen.findByRole('alert', {}, { timeout: BUILD_TIMEOUT_MS });
      expect(alert.textContent).toBe(
        'upload.json: layer conv1: kernel 5×5 does not match its weights 3×3 (conv1/kernel: ' +
          'the layer needs [5, 5, 1, 64], the weights hold [3, 3, 1, 64]).',
      );
      expect(currentModelLine()).toBe(trainedLine);

      await user.upload(screen.getByLabelText('Model files'), modelFiles(3));
      await waitFor(
        () => expect(currentModelLine()).toBe('Current model: upload (loaded from files)'),
        { timeout: BUILD_TIMEOUT_MS },
      );
      expect(screen.queryByRole('alert')).toBeNull();
    },
    SETUP_TIMEOUT_MS,
  );
});
