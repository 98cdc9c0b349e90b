/**
 * `Export as a training project` (one per run in the runs table, and in Keep the model): the
 * .zip handed to the browser holds the PyTorch and Keras projects of that run, and for a model
 * its files.
 */
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { strFromU8, unzipSync } from 'fflate';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { RunRecord } from '../../src/storage/run-store';
import type { SerializedModel } from '../../src/training/run-types';
import { DEFAULT_TRAINING_PARAMS, type TrainingParams } from '../../src/training/training-params';
import { ExportProjectButton } from '../../src/ui/export/export-project-button';
import { fromTraining } from '../../src/ui/models/current-model';
import { ModelActions } from '../../src/ui/models/model-actions';
import type { SavedModelsController } from '../../src/ui/models/use-saved-models';
import { RunsTable } from '../../src/ui/training/runs-table';

/** The settings of a run of the runs table. */
const RUN_PARAMS: TrainingParams = {
  ...DEFAULT_TRAINING_PARAMS,
  architectureId: 'conv1',
  epochs: 5,
  batchSize: 32,
  optimizer: 'rmsprop',
};

/** Catches what saveFile hands to the browser: the file name and the blob. */
function catchDownloads(): { name: string; blob: Blob }[] {
  const downloads: { name: string; blob: Blob }[] = [];
  const blobs: Blob[] = [];
  vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
    blobs.push(blob as Blob);
    return `blob:download-${blobs.length}`;
  });
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
    this: HTMLAnchorElement,
  ) {
    downloads.push({ name: this.download, blob: blobs[blobs.length - 1] });
  });
  return downloads;
}

async function unzipped(blob: Blob): Promise<Record<string, Uint8Array>> {
  return unzipSync(new Uint8Array(await blob.arrayBuffer()));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Export as a training project', () => {
  test('for a run: both projects of that run’s settings', async () => {
    const downloads = catchDownloads();
    render(
      <ExportProjectButton
        params={RUN_PARAMS}
        stem="conv1-run-2"
        label="Export run 2 as a training project"
      />,
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Export run 2 as a training project' }),
    );
    await waitFor(() => expect(downloads).toHaveLength(1));
    expect(downloads[0].name).toBe('conv1-run-2-training-project.zip');
    const files = await unzipped(downloads[0].blob);
    const train = strFromU8(files['conv1-run-2-training-project/pytorch/train.py']);
    expect(train).toContain('ARCHITECTURE_ID = "conv1"');
    expect(train).toMatch(/"epochs": 5,\n {4}"batchSize": 32,/);
    expect(train).toContain('"optimizer": "rmsprop"');
    expect(Object.keys(files)).toContain('conv1-run-2-training-project/keras/train.py');
  });

  test('from the runs table: the row’s button exports that run’s settings', async () => {
    const downloads = catchDownloads();
    const run: RunRecord = {
      id: 1,
      architectureLabel: '1 · Conv64 → Pool4',
      parameterCount: 607_818,
      trainingParams: { ...RUN_PARAMS, seed: 21, learningRate: 0.0005 },
      epochsDone: 5,
      trainAccuracy: 0.9,
      valAccuracy: 0.88,
      testAccuracy: 0.87,
      wallTimeMs: 60_000,
      backend: 'wasm',
      end: 'completed',
      history: [],
      finishedAt: '2026-11-29T10:00:00.000Z',
    };
    render(<RunsTable runs={[run]} />);
    await userEvent.click(
      screen.getByRole('button', { name: 'Export as a training project: run 1' }),
    );
    await waitFor(() => expect(downloads).toHaveLength(1));
    expect(downloads[0].name).toBe('conv1-run-1-training-project.zip');
    const files = await unzipped(downloads[0].blob);
    for (const framework of ['pytorch', 'keras']) {
      const train = strFromU8(files[`conv1-run-1-training-project/${framework}/train.py`]);
      expect(train).toContain('ARCHITECTURE_ID = "conv1"');
      expect(train).toMatch(
        /"epochs": 5,\n {4}"batchSize": 32,\n {4}"learningRate": 0.0005,\n {4}"optimizer": "rmsprop",\n {4}"validationFraction": 0.2,\n {4}"seed": 21,/,
      );
      expect(train).toContain('INIT_FROM = None');
    }
  });

  test('from Keep the model: the project starts from the model’s files', async () => {
    const downloads = catchDownloads();
    const model: SerializedModel = {
      modelTopology: { class_name: 'Sequential' },
      weightSpecs: [{ name: 'conv1/bias', shape: [2], dtype: 'float32' }],
      weightData: new Float32Array([0.5, -2]).buffer,
    };
    const current = fromTraining(model, 'seed-cnn 2026-11-29 10:00', {
      params: DEFAULT_TRAINING_PARAMS,
      epochsCompleted: 10,
      trainingAccuracy: 0.93,
      validationAccuracy: 0.91,
      testAccuracy: 0.9087,
      tfjsVersion: '4.22.0',
    });
    const saved = { unavailableReason: null, isBusy: false } as SavedModelsController;
    render(<ModelActions current={current} saved={saved} />);
    await userEvent.clear(screen.getByLabelText('Model name'));
    await userEvent.type(screen.getByLabelText('Model name'), 'best shirt');
    await userEvent.click(screen.getByRole('button', { name: 'Export as a training project' }));
    await waitFor(() => expect(downloads).toHaveLength(1));
    expect(downloads[0].name).toBe('best-shirt-training-project.zip');
    const files = await unzipped(downloads[0].blob);
    const folder = 'best-shirt-training-project/pytorch/tab-model';
    expect(Array.from(new Float32Array(files[`${folder}/best-shirt.weights.bin`].buffer))).toEqual([
      0.5, -2,
    ]);
    const metadata = JSON.parse(strFromU8(files[`${folder}/best-shirt.metadata.json`]));
    expect(metadata).toMatchObject({ name: 'best shirt', testAccuracy: 0.9087 });
    expect(strFromU8(files['best-shirt-training-project/keras/train.py'])).toContain(
      'INIT_FROM = os.path.join(HERE, "tab-model", "best-shirt.json")',
    );
  });

  test('is off for a model whose settings are unknown', () => {
    const model: SerializedModel = {
      modelTopology: {},
      weightSpecs: [],
      weightData: new ArrayBuffer(0),
    };
    const current = {
      ...fromTraining(model, 'x', {
        params: DEFAULT_TRAINING_PARAMS,
        epochsCompleted: 0,
        trainingAccuracy: null,
        validationAccuracy: null,
        testAccuracy: null,
      }),
      trainingParams: null,
      architectureId: null,
    };
    const saved = { unavailableReason: null, isBusy: false } as SavedModelsController;
    render(<ModelActions current={current} saved={saved} />);
    const button = screen.getByRole('button', { name: 'Export as a training project' });
    expect((button as HTMLButtonElement).disabled).toBe(true);
  });
});
