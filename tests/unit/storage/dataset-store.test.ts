/**
 * The kept dataset: real rows survive a round trip through IndexedDB (fake-indexeddb), a
 * failed write keeps what was stored, and the fingerprint tells one dataset from another.
 */
import { deleteAllDatabases } from './idb-test-env';
import { afterEach, describe, expect, test } from 'vitest';
import {
  createDatasetStore,
  datasetFingerprint,
  datasetKey,
  type StoredSplitInput,
} from '../../../src/storage/dataset-store';
import { StorageError } from '../../../src/storage/storage-error';
import { STUDIO_DB_NAME } from '../../../src/storage/studio-db';
import { loadRealSplit } from '../training/real-data';

const TRAIN = loadRealSplit('train', 500);
const TEST = loadRealSplit('test', 200);

function input(split: 'train' | 'test', data = split === 'train' ? TRAIN : TEST): StoredSplitInput {
  return {
    split,
    images: data.images,
    labels: data.labels,
    count: data.labels.length,
    sourceFiles: [`fashion-mnist_${split}.csv`],
    parser: 'fast-csv',
  };
}

const isSameBytes = (a: Uint8Array, b: Uint8Array) =>
  Buffer.compare(
    Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  ) === 0;

afterEach(deleteAllDatabases);

describe('dataset store', () => {
  test('both real splits come back byte for byte, with their fingerprints', async () => {
    const store = createDatasetStore();
    await store.saveSplit(input('train'));
    await store.saveSplit(input('test'));
    const splits = await createDatasetStore().loadSplits();
    expect(splits.map((s) => s.split).sort()).toEqual(['test', 'train']);
    const train = splits.find((s) => s.split === 'train')!;
    expect(train.count).toBe(500);
    expect(isSameBytes(train.images, TRAIN.images)).toBe(true);
    expect(isSameBytes(train.labels, TRAIN.labels)).toBe(true);
    expect(train.sourceFiles).toEqual(['fashion-mnist_train.csv']);
    expect(train.fingerprint).toBe(datasetFingerprint(TRAIN.images, TRAIN.labels));
  });

  test('saving a split again replaces it; clear removes all', async () => {
    const store = createDatasetStore();
    await store.saveSplit(input('train'));
    const smaller = loadRealSplit('train', 100);
    await store.saveSplit(input('train', smaller));
    const splits = await store.loadSplits();
    expect(splits).toHaveLength(1);
    expect(splits[0].count).toBe(100);
    await store.clear();
    expect(await store.loadSplits()).toEqual([]);
  });

  test('a quota error on write says so and keeps the split stored before', async () => {
    await createDatasetStore().saveSplit(input('train'));
    const realOpen = indexedDB.open.bind(indexedDB);
    // The same database, but every put() fails the way a full disk does.
    const fullDisk = {
      open: (name: string, version?: number) => {
        const request = realOpen(name, version);
        request.addEventListener('success', () => {
          const db = request.result;
          const transaction = db.transaction.bind(db);
          db.transaction = ((...args: Parameters<IDBDatabase['transaction']>) => {
            const tx = transaction(...args);
            const objectStore = tx.objectStore.bind(tx);
            tx.objectStore = (storeName: string) => {
              const store = objectStore(storeName);
              store.put = () => {
                throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
              };
              return store;
            };
            return tx;
          }) as IDBDatabase['transaction'];
        });
        return request;
      },
    } as unknown as IDBFactory;
    const failing = createDatasetStore({ idbFactory: fullDisk });
    const error = await failing
      .saveSplit(input('train', loadRealSplit('train', 100)))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ kind: 'quota-exceeded' });
    expect((error as Error).message).toMatch(/train data \(100 rows\).*quota/);
    const [kept] = await createDatasetStore().loadSplits();
    expect(kept.count).toBe(500);
  });

  test('without IndexedDB the store says storage is unavailable', async () => {
    const store = createDatasetStore({ idbFactory: undefined });
    await expect(store.loadSplits()).rejects.toMatchObject({ kind: 'unavailable' });
  });

  test('damaged records are skipped, not thrown', async () => {
    await createDatasetStore().saveSplit(input('test'));
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open(STUDIO_DB_NAME);
      request.onsuccess = () => {
        const tx = request.result.transaction('datasets', 'readwrite');
        tx.objectStore('datasets').put({ split: 'train', schemaVersion: 99 });
        tx.oncomplete = () => {
          request.result.close();
          resolve();
        };
        tx.onerror = () => reject(tx.error);
      };
    });
    const splits = await createDatasetStore().loadSplits();
    expect(splits.map((s) => s.split)).toEqual(['test']);
  });

  test('the fingerprint changes with any single pixel or label, and the key names both splits', () => {
    const base = datasetFingerprint(TRAIN.images, TRAIN.labels);
    expect(base).toMatch(/^500:[0-9a-f]{8}$/);
    for (const index of [0, 1, 2, 3, 12345, TRAIN.images.length - 1]) {
      const images = TRAIN.images.slice();
      images[index] ^= 1;
      expect(datasetFingerprint(images, TRAIN.labels)).not.toBe(base);
    }
    const labels = TRAIN.labels.slice();
    labels[7] = (labels[7] + 1) % 10;
    expect(datasetFingerprint(TRAIN.images, labels)).not.toBe(base);
    // An unaligned view hashes the same bytes to the same value.
    const shifted = new Uint8Array(TRAIN.images.length + 1);
    shifted.set(TRAIN.images, 1);
    expect(datasetFingerprint(shifted.subarray(1), TRAIN.labels)).toBe(base);
    expect(datasetKey(TRAIN, TEST)).toBe(
      `train:${base}|test:${datasetFingerprint(TEST.images, TEST.labels)}`,
    );
  });
});
