/**
 * Keep the model: the current model, its name and buttons, storage that is off, and the saved
 * models list with its confirmation before a delete.
 */
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test, vi } from 'vitest';
import { createModelMetadata } from '../../src/storage/model-metadata';
import type { SavedModelEntry } from '../../src/storage/model-store';
import type { SerializedModel } from '../../src/training/run-types';
import { DEFAULT_TRAINING_PARAMS } from '../../src/training/training-params';
import { fromTraining, type CurrentModel } from '../../src/ui/models/current-model';
import { ModelsPanel, type ModelsPanelProps } from '../../src/ui/models/models-panel';
import type { SavedModelsController } from '../../src/ui/models/use-saved-models';
import { realLoadedSplit } from './real-splits';

/** The panel never looks inside a model; it only passes it on. */
const MODEL: SerializedModel = {
  modelTopology: {},
  weightSpecs: [],
  weightData: new ArrayBuffer(8),
};

const TRAINED: CurrentModel = fromTraining(MODEL, 'seed-cnn 2026-11-29 10:00', {
  params: DEFAULT_TRAINING_PARAMS,
  epochsCompleted: 10,
  trainingAccuracy: 0.93,
  validationAccuracy: 0.91,
  testAccuracy: 0.9087,
  tfjsVersion: '4.22.0',
});

const KEPT_METADATA = createModelMetadata({
  id: 'saved-1',
  name: 'kept model',
  trainingParams: DEFAULT_TRAINING_PARAMS,
  epochsCompleted: 10,
  trainingAccuracy: 0.93,
  validationAccuracy: 0.91,
  testAccuracy: 0.9087,
  tfjsVersion: '4.22.0',
  createdAt: new Date('2026-11-29T09:00:00Z'),
  sizeBytes: 1_937_208,
});

const ENTRIES: SavedModelEntry[] = [
  { key: 'saved-1', metadata: KEPT_METADATA },
  { key: 'saved-2', unreadable: 'schemaVersion is 7, expected 1' },
];

function renderPanel(saved: Partial<SavedModelsController>, props: Partial<ModelsPanelProps> = {}) {
  const controller: SavedModelsController = {
    unavailableReason: null,
    entries: [],
    isBusy: false,
    error: null,
    notice: null,
    save: vi.fn(async () => null),
    load: vi.fn(async () => ({ model: MODEL, metadata: KEPT_METADATA })),
    remove: vi.fn(async () => undefined),
    clearMessages: vi.fn(),
    notify: vi.fn(),
    ...saved,
  };
  const allProps: ModelsPanelProps = {
    current: TRAINED,
    saved: controller,
    onUseModel: vi.fn(),
    onModelFiles: vi.fn(),
    modelFilesError: null,
    sectionNumber: 4,
    ...props,
  };
  const view = render(<ModelsPanel {...allProps} />);
  return { saved: controller, props: allProps, view, user: userEvent.setup() };
}

const button = (name: string) => screen.getByRole<HTMLButtonElement>('button', { name });
const nameField = () => screen.getByLabelText<HTMLInputElement>('Model name');
const savedList = () => screen.getByRole('list', { name: 'Saved models' });

describe('ModelsPanel: the current model', () => {
  test('without one, nothing can be saved or downloaded', () => {
    renderPanel({}, { current: null });
    expect(screen.getByText('Train a model, or load one, to save or download it.')).toBeTruthy();
    expect(nameField().disabled).toBe(true);
    expect(nameField().value).toBe('');
    for (const name of ['Save', 'Download', 'Download test predictions']) {
      expect(button(name).disabled).toBe(true);
    }
  });

  test('says which model is current and offers its name', () => {
    renderPanel({});
    expect(screen.getByText('Current model:').textContent).toBe(
      'Current model: seed-cnn 2026-11-29 10:00 (trained in this tab, 6 · Seed CNN)',
    );
    expect(nameField().value).toBe('seed-cnn 2026-11-29 10:00');
  });

  test('Save keeps it under the name typed, trimmed; an empty name cannot be saved', async () => {
    const { saved, user } = renderPanel({});
    await user.clear(nameField());
    expect(button('Save').disabled).toBe(true);
    await user.type(nameField(), '  kept model ');
    await user.click(button('Save'));
    expect(saved.save).toHaveBeenCalledWith(TRAINED, 'kept model');
  });

  test('with browser storage off, Save is off and the status says why', () => {
    renderPanel({ unavailableReason: 'IndexedDB is not available in this private window.' });
    expect(button('Save').disabled).toBe(true);
    expect(button('Download').disabled).toBe(false);
    expect(screen.getByRole('status').textContent).toBe(
      'Saving in this browser is off: IndexedDB is not available in this private window. Training and downloads still work.',
    );
  });

  test('test predictions need the test set and say so', () => {
    renderPanel({}, { predict: vi.fn() });
    expect(button('Download test predictions').disabled).toBe(true);
    expect(screen.getByText('Load the test set for test predictions.')).toBeTruthy();
  });

  test('test predictions are on with a model, its predictions and the test set', () => {
    renderPanel({}, { predict: vi.fn(), test: realLoadedSplit('test', 10) });
    expect(button('Download test predictions').disabled).toBe(false);
    expect(screen.queryByText('Load the test set for test predictions.')).toBeNull();
  });

  test('chosen model files are handed over', async () => {
    const { props, user } = renderPanel({});
    const files = [new File(['{}'], 'm.json'), new File([new Uint8Array(8)], 'm.weights.bin')];
    await user.upload(screen.getByLabelText('Model files'), files);
    expect(props.onModelFiles).toHaveBeenCalledWith(files);
  });

  test('storage errors and model file errors share one alert; notices are a status', () => {
    renderPanel(
      { error: 'The quota is exceeded.', notice: 'Saved "kept model" in this browser.' },
      { modelFilesError: 'm.json: no weights file.' },
    );
    const alert = screen.getByRole('alert');
    expect(
      within(alert)
        .getAllByText(/\./)
        .map((p) => p.textContent),
    ).toEqual(['The quota is exceeded.', 'm.json: no weights file.']);
    expect(screen.getByRole('status').textContent).toBe('Saved "kept model" in this browser.');
  });
});

describe('ModelsPanel: saved models', () => {
  test('says it is checking, then that there are none', () => {
    const { view, props } = renderPanel({ unavailableReason: undefined });
    expect(screen.getByText('Checking…')).toBeTruthy();
    view.rerender(<ModelsPanel {...props} saved={{ ...props.saved, unavailableReason: null }} />);
    expect(screen.queryByText('Checking…')).toBeNull();
    expect(screen.getByText('None yet.')).toBeTruthy();
    expect(within(savedList()).queryAllByRole('listitem')).toHaveLength(0);
  });

  test('lists each saved model by name; an unreadable one can only be deleted', () => {
    renderPanel({ entries: ENTRIES });
    const kept = within(savedList()).getByRole('listitem', { name: 'kept model' });
    expect(kept.textContent).toContain('6 · Seed CNN · test accuracy 90.87% · 1.9 MB');
    expect(
      within(kept)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['Load', 'Download', 'Delete']);
    const unreadable = within(savedList()).getByRole('listitem', {
      name: 'Unreadable saved model',
    });
    expect(unreadable.textContent).toContain('(schemaVersion is 7, expected 1)');
    expect(
      within(unreadable)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['Delete']);
  });

  test('Load makes the saved model current, described by its metadata', async () => {
    const { saved, props, user } = renderPanel({ entries: ENTRIES });
    const kept = within(savedList()).getByRole('listitem', { name: 'kept model' });
    await user.click(within(kept).getByRole('button', { name: 'Load' }));
    expect(saved.load).toHaveBeenCalledWith('saved-1');
    expect(props.onUseModel).toHaveBeenCalledTimes(1);
    expect(vi.mocked(props.onUseModel).mock.calls[0][0]).toMatchObject({
      source: 'saved',
      name: 'kept model',
      model: MODEL,
      architectureId: 'seed-cnn',
      testAccuracy: 0.9087,
    });
    expect(saved.notify).toHaveBeenCalledWith('Loaded "kept model" from this browser.');
  });

  test('Delete asks first; Cancel keeps the model, Yes deletes it', async () => {
    const { saved, user } = renderPanel({ entries: ENTRIES });
    const kept = within(savedList()).getByRole('listitem', { name: 'kept model' });
    await user.click(within(kept).getByRole('button', { name: 'Delete' }));
    const confirm = within(kept).getByRole('group', { name: 'Confirm deleting kept model' });
    expect(confirm.textContent).toBe('Delete “kept model” for good? Yes, delete Cancel');
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(saved.remove).not.toHaveBeenCalled();
    expect(within(kept).queryByRole('group')).toBeNull();

    await user.click(within(kept).getByRole('button', { name: 'Delete' }));
    await user.click(within(kept).getByRole('button', { name: 'Yes, delete' }));
    expect(saved.remove).toHaveBeenCalledWith('saved-1');
  });

  test('an unreadable model is deleted by its storage key', async () => {
    const { saved, user } = renderPanel({ entries: ENTRIES });
    const unreadable = within(savedList()).getByRole('listitem', {
      name: 'Unreadable saved model',
    });
    await user.click(within(unreadable).getByRole('button', { name: 'Delete' }));
    await user.click(within(unreadable).getByRole('button', { name: 'Yes, delete' }));
    expect(saved.remove).toHaveBeenCalledWith('saved-2');
  });

  test('while storage is busy no second operation can start', () => {
    renderPanel({ entries: ENTRIES, isBusy: true });
    expect(button('Save').disabled).toBe(true);
    const kept = within(savedList()).getByRole('listitem', { name: 'kept model' });
    expect(
      within(kept)
        .getAllByRole<HTMLButtonElement>('button')
        .map((b) => b.disabled),
    ).toEqual([true, true, true]);
  });
});
