import { deleteAllDatabases } from './idb-test-env';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PIXELS_PER_IMAGE } from '../../../src/config/dataset';
import { createModel } from '../../../src/model/architectures';
import {
  createModelStore,
  createTfjsArtifactIo,
  MODEL_KEY_PREFIX,
  modelKey,
  type SaveModelDetails,
} from '../../../src/storage/model-store';
import { StorageError } from '../../../src/storage/storage-error';
import { METADATA_STORE, openStudioDb } from '../../../src/storage/studio-db';
import { deserializeModel, serializeModel } from '../../../src/training/serialized-model';
import type { SerializedModel } from '../../../src/training/run-types';
import { DEFAULT_TRAINING_PARAMS } from '../../../src/training/training-params';
import { loadRealSplit } from '../training/real-data';

const IMAGE_COUNT = 8;
const PREDICTION_TOLERANCE = 1e-6;

const details: SaveModelDetails = {
  name: 'conv1 seed 1',
  trainingParams: { ...DEFAULT_TRAINING_PARAMS, architectureId: 'conv1', seed: 1 },
  epochsCompleted: 0,
  trainingAccuracy: null,
  validationAccuracy: null,
  testAccuracy: null,
};

let original: tf.LayersModel;
let serialized: SerializedModel;
/** float32 [8, 28, 28, 1] in [0, 1]: real test images. */
let xs: tf.Tensor4D;
/** The original model's softmax outputs on xs, [8 × 10]. */
let expected: Float32Array;

/** Predictions of the model stored under `id`, loaded back the way the app will. */
async function predictWithSaved(id: string): Promise<Float32Array> {
  const { artifacts } = await createModelStore().loadSavedModel(id);
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  const output = tf.tidy(() => loaded.predict(xs) as tf.Tensor);
  const values = (await output.data()) as Float32Array;
  output.dispose();
  loaded.dispose();
  return values;
}

function expectClose(actual: Float32Array, wanted: Float32Array): void {
  expect(actual.length).toBe(wanted.length);
  let maxDiff = 0;
  for (let i = 0; i < wanted.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - wanted[i]));
  }
  expect(maxDiff).toBeLessThanOrEqual(PREDICTION_TOLERANCE);
}

/** Keys tfjs's own IndexedDB database holds (with the indexeddb:// scheme). */
async function tfjsModelKeys(): Promise<string[]> {
  return Object.keys(await tf.io.listModels()).sort();
}

function quotaError(): DOMException {
  return new DOMException('The quota has been exceeded.', 'QuotaExceededError');
}

async function expectStorageError(promise: Promise<unknown>, kind: string): Promise<StorageError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StorageError);
  expect((error as StorageError).kind).toBe(kind);
  return error as StorageError;
}

beforeAll(async () => {
  tf.env().set('IS_BROWSER', true);
  await tf.setBackend('cpu');
  original = createModel('conv1', { seed: 1 });
  serialized = await serializeModel(original);
  const { images } = loadRealSplit('test', IMAGE_COUNT);
  expect(images.length).toBe(IMAGE_COUNT * PIXELS_PER_IMAGE);
  xs = tf.tidy(() => tf.tensor4d(images, [IMAGE_COUNT, 28, 28, 1], 'float32').div(255));
  const output = tf.tidy(() => original.predict(xs) as tf.Tensor);
  expected = (await output.data()) as Float32Array;
  output.dispose();
});

afterAll(() => {
  original.dispose();
  xs.dispose();
});

beforeEach(deleteAllDatabases);

describe('model store', () => {
  it('reports storage as available here, and unavailable without IndexedDB', async () => {
    expect(await createModelStore().isStorageAvailable()).toEqual({ available: true });
    const missing = await createModelStore({ idbFactory: undefined }).isStorageAvailable();
    expect(missing.available).toBe(false);
    expect(!missing.available && missing.reason).toMatch(/IndexedDB/);
  });

  it('saves, lists and loads a real model whose predictions match the original', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const store = createModelStore({ now: () => new Date('2025-05-06T07:08:09.000Z') });
    const metadata = await store.saveModel(serialized, { ...details, testAccuracy: 0.1 });
    expect(metadata).toMatchObject({
      schemaVersion: 1,
      name: 'conv1 seed 1',
      architectureId: 'conv1',
      inputShape: [28, 28, 1],
      normalization: 'divide-by-255',
      testAccuracy: 0.1,
      tfjsVersion: tf.version.tfjs,
      createdAt: '2025-05-06T07:08:09.000Z',
    });
    // 607,818 float32 parameters plus the JSON.
    expect(metadata.sizeBytes).toBeGreaterThan(607_818 * 4);

    const list = await store.listSavedModels();
    expect(list).toEqual([{ key: modelKey(metadata.id), metadata }]);
    expect(list[0].key.startsWith(MODEL_KEY_PREFIX)).toBe(true);
    expect(await tfjsModelKeys()).toEqual([modelKey(metadata.id)]);

    const { artifacts, metadata: loadedMetadata } = await store.loadSavedModel(metadata.id);
    expect(loadedMetadata).toEqual(metadata);
    expect(artifacts.weightData.byteLength).toBe(serialized.weightData.byteLength);
    expectClose(await predictWithSaved(metadata.id), expected);
    // The engine's own deserializer reads the same artifacts.
    const viaEngine = await deserializeModel(artifacts);
    expect(viaEngine.countParams()).toBe(original.countParams());
    viaEngine.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('lists models newest first', async () => {
    let time = Date.parse('2025-01-01T00:00:00Z');
    const store = createModelStore({ now: () => new Date((time += 60_000)) });
    const first = await store.saveModel(serialized, { ...details, name: 'first' });
    const second = await store.saveModel(serialized, { ...details, name: 'second' });
    const names = (await store.listSavedModels()).map((e) => 'metadata' in e && e.metadata.name);
    expect(names).toEqual(['second', 'first']);
    expect(first.id).not.toBe(second.id);
  });

  it('lists an entry with unreadable metadata as unreadable, next to readable ones', async () => {
    const store = createModelStore();
    const good = await store.saveModel(serialized, details);
    const futureKey = modelKey('from-a-future-version');
    const db = await openStudioDb(indexedDB);
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(METADATA_STORE, 'readwrite');
      tx.objectStore(METADATA_STORE).put({
        key: futureKey,
        metadata: { ...good, id: 'from-a-future-version', schemaVersion: 2 },
      });
      tx.objectStore(METADATA_STORE).put({ key: modelKey('damaged'), metadata: 'garbage' });
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();

    const list = await store.listSavedModels();
    expect(list).toHaveLength(3);
    expect(list[0]).toEqual({ key: modelKey(good.id), metadata: good });
    const unreadable = Object.fromEntries(
      list.flatMap((entry) => ('unreadable' in entry ? [[entry.key, entry.unreadable]] : [])),
    );
    expect(unreadable[futureKey]).toMatch(/schema version 2/);
    expect(unreadable[modelKey('damaged')]).toMatch(/not an object/);
    const error = await expectStorageError(
      store.loadSavedModel('from-a-future-version'),
      'unreadable',
    );
    expect(error.message).toMatch(/schema version 2/);
  });

  it('a save that hits the quota on the model write leaves earlier saves intact', async () => {
    const earlier = await createModelStore().saveModel(serialized, details);
    const tfjsIo = createTfjsArtifactIo();
    const fullDisk = createModelStore({
      artifactIo: {
        ...tfjsIo,
        save: async () => {
          throw quotaError();
        },
      },
    });
    const error = await expectStorageError(
      fullDisk.saveModel(serialized, { ...details, name: 'too big' }),
      'quota-exceeded',
    );
    expect(error.message).toMatch(/quota/i);
    expect(error.message).toMatch(/too big/);

    const list = await createModelStore().listSavedModels();
    expect(list).toEqual([{ key: modelKey(earlier.id), metadata: earlier }]);
    expect(await tfjsModelKeys()).toEqual([modelKey(earlier.id)]);
    expectClose(await predictWithSaved(earlier.id), expected);
  });

  it('a save whose metadata write fails removes the model it wrote', async () => {
    const earlier = await createModelStore().saveModel(serialized, details);
    let writtenKeys: string[] = [];
    const failing = createModelStore({
      createId: () => 'doomed',
      afterModelWritten: async () => {
        // The model really is in tfjs's database at this point.
        writtenKeys = await tfjsModelKeys();
        throw quotaError();
      },
    });
    await expectStorageError(failing.saveModel(serialized, details), 'quota-exceeded');
    expect(writtenKeys).toContain(modelKey('doomed'));
    expect(await tfjsModelKeys()).toEqual([modelKey(earlier.id)]);
    expect(await createModelStore().listSavedModels()).toEqual([
      { key: modelKey(earlier.id), metadata: earlier },
    ]);
    expectClose(await predictWithSaved(earlier.id), expected);
  });

  it('a save cut off between the weights and the metadata (a reload) lists nothing of it', async () => {
    const earlier = await createModelStore().saveModel(serialized, { ...details, name: 'earlier' });
    let reachedCut = false;
    const cutOff = createModelStore({
      createId: () => 'cut-off',
      afterModelWritten: () => {
        reachedCut = true;
        // The page is gone: the metadata write never comes.
        return new Promise<void>(() => undefined);
      },
    });
    let isSettled = false;
    void cutOff.saveModel(serialized, { ...details, name: 'cut off' }).finally(() => {
      isSettled = true;
    });
    await expect.poll(() => reachedCut).toBe(true);
    expect(await tfjsModelKeys()).toContain(modelKey('cut-off'));

    // The next visit: a fresh store on the same databases.
    const nextVisit = createModelStore();
    expect(await nextVisit.listSavedModels()).toEqual([
      { key: modelKey(earlier.id), metadata: earlier },
    ]);
    const loaded = await nextVisit.loadSavedModel(earlier.id);
    expect(loaded.metadata).toEqual(earlier);
    expectClose(await predictWithSaved(earlier.id), expected);
    // Loading the orphan by its id is refused as not saved: it has no metadata.
    await expectStorageError(nextVisit.loadSavedModel('cut-off'), 'not-found');
    // The orphan is ignored, not cleaned: its weights stay in tfjs's database, never listed,
    // and later saves and deletes leave it alone.
    const later = await nextVisit.saveModel(serialized, { ...details, name: 'later' });
    await nextVisit.deleteSavedModel(earlier.id);
    expect(await nextVisit.listSavedModels()).toEqual([
      { key: modelKey(later.id), metadata: later },
    ]);
    expect(await tfjsModelKeys()).toEqual([modelKey('cut-off'), modelKey(later.id)].sort());
    expect(isSettled).toBe(false);
  });

  it('delete removes both the model and its metadata, and only that one', async () => {
    const store = createModelStore();
    const kept = await store.saveModel(serialized, { ...details, name: 'kept' });
    const doomed = await store.saveModel(serialized, { ...details, name: 'deleted' });
    await store.deleteSavedModel(doomed.id);
    expect(await store.listSavedModels()).toEqual([{ key: modelKey(kept.id), metadata: kept }]);
    expect(await tfjsModelKeys()).toEqual([modelKey(kept.id)]);
    await expectStorageError(store.loadSavedModel(doomed.id), 'not-found');
    // Deleting again is harmless.
    await store.deleteSavedModel(doomed.id);
    expectClose(await predictWithSaved(kept.id), expected);
  });
});
