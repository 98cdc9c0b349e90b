/**
 * Saved models: weights and topology through tfjs's own IndexedDB handler, metadata in our
 * database (studio-db.ts). The only module that knows the `indexeddb://` key layout.
 *
 * A save writes the model first, then the metadata; a model without metadata is invisible to
 * listSavedModels, so a crash between the two never shows a half-saved entry. When either
 * write fails, the save removes what it wrote and throws a StorageError; other saves are
 * never touched, because every save gets a fresh id.
 */
import * as tf from '@tensorflow/tfjs';
import type { SerializedModel } from '../training/run-types';
import { joinWeightData } from '../training/serialized-model';
import {
  createModelMetadata,
  serializedModelSizeBytes,
  describeUnreadable,
  isModelMetadata,
  type ModelMetadata,
  type ModelMetadataInput,
} from './model-metadata';
import { StorageError, toReadError, toWriteError } from './storage-error';
import {
  globalIndexedDb,
  METADATA_STORE,
  openStudioDb,
  requestResult,
  withStudioTransaction,
} from './studio-db';
import { errorMessage } from '../shared/errors';

/** `v1` is the key layout version; a new layout gets a new prefix and a migration. */
export const MODEL_KEY_PREFIX = 'indexeddb://fashion-mnist-studio/v1/models/';

export function modelKey(id: string): string {
  return `${MODEL_KEY_PREFIX}${id}`;
}

/** How the store reads and writes model artifacts; tfjs's IndexedDB handler by default. */
export interface ModelArtifactIo {
  save(key: string, artifacts: tf.io.ModelArtifacts): Promise<void>;
  load(key: string): Promise<tf.io.ModelArtifacts>;
  /** Resolves also when nothing is stored under `key`. */
  remove(key: string): Promise<void>;
}

/** tfjs prints this when removeModel finds nothing; absence is fine when deleting. */
const TFJS_MODEL_NOT_FOUND = 'Cannot find model';

export function createTfjsArtifactIo(): ModelArtifactIo {
  return {
    async save(key, artifacts) {
      const [handler] = tf.io.getSaveHandlers(key);
      if (!handler?.save) throw new StorageError('unavailable', tfjsUnavailableReason());
      const weightBytes = weightByteLength(artifacts.weightData);
      await handler.save(artifacts);
      await checkModelStored(key, weightBytes);
    },
    async load(key) {
      const [handler] = tf.io.getLoadHandlers(key);
      if (!handler?.load) throw new StorageError('unavailable', tfjsUnavailableReason());
      return handler.load();
    },
    async remove(key) {
      try {
        await tf.io.removeModel(key);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith(TFJS_MODEL_NOT_FOUND)) return;
        throw error;
      }
    },
  };
}

function weightByteLength(data: tf.io.WeightData | undefined): number {
  if (data === undefined) return 0;
  return Array.isArray(data) ? data.reduce((sum, b) => sum + b.byteLength, 0) : data.byteLength;
}

/**
 * tfjs resolves its IndexedDB save when the put *request* succeeds, before the transaction
 * commits. Chromium checks the storage quota at commit, so a full disk aborts the write after
 * tfjs said it was saved (seen in tests/browser/model-interop.spec.ts). A read in a later
 * transaction on the same store waits for that commit, so reading the model back tells.
 */
async function checkModelStored(key: string, weightBytes: number): Promise<void> {
  const [loader] = tf.io.getLoadHandlers(key);
  let storedBytes: number | null = null;
  try {
    const stored = await loader?.load?.();
    if (stored) storedBytes = weightByteLength(stored.weightData);
  } catch {
    // Absent: the write was rolled back after tfjs reported success.
  }
  if (storedBytes !== weightBytes) {
    throw new StorageError(
      'quota-exceeded',
      'Not enough browser storage to save the model: the browser dropped it after accepting ' +
        'it, which it does when the storage quota is exceeded. Delete saved models or free ' +
        'disk space, then try again.',
    );
  }
}

function tfjsUnavailableReason(): string {
  return (
    'TensorFlow.js cannot reach IndexedDB here: it only does so in a browser page or worker ' +
    'whose IndexedDB is enabled.'
  );
}

export type StorageAvailability = { available: true } | { available: false; reason: string };

/** What the caller knows about a trained model; the store adds id, time, size, class names. */
/** What the caller knows about a model to save; the store adds id, time and size. */
export type SaveModelDetails = Omit<
  ModelMetadataInput,
  'id' | 'createdAt' | 'sizeBytes' | 'tfjsVersion'
> & {
  /** Default: the running tf.version.tfjs. */
  tfjsVersion?: string;
};

export type SavedModelEntry =
  { key: string; metadata: ModelMetadata } | { key: string; unreadable: string };

export interface LoadedModel {
  artifacts: SerializedModel;
  metadata: ModelMetadata;
}

export interface ModelStore {
  isStorageAvailable(): Promise<StorageAvailability>;
  /** Resolves with the stored metadata (its `id` loads or deletes the model). */
  saveModel(model: SerializedModel, details: SaveModelDetails): Promise<ModelMetadata>;
  /** Newest first; entries whose metadata fails the guard come last, as `unreadable`. */
  listSavedModels(): Promise<SavedModelEntry[]>;
  loadSavedModel(id: string): Promise<LoadedModel>;
  /** Removes model and metadata; resolves also when the id is not stored. */
  deleteSavedModel(id: string): Promise<void>;
}

export interface ModelStoreOptions {
  /** Factory for our metadata database; default the global indexedDB (tfjs always uses it). */
  idbFactory?: IDBFactory;
  artifactIo?: ModelArtifactIo;
  now?: () => Date;
  createId?: () => string;
  /** Called between the model write and the metadata write; tests throw here. */
  afterModelWritten?: () => void | Promise<void>;
}

/** The record in METADATA_STORE; `metadata` is unknown until the guard has looked at it. */
interface MetadataRecord {
  key: string;
  metadata: unknown;
}

function toSerializedModel(artifacts: tf.io.ModelArtifacts): SerializedModel {
  if (artifacts.modelTopology === undefined || artifacts.modelTopology instanceof ArrayBuffer) {
    throw new Error('stored model has no JSON topology');
  }
  return {
    modelTopology: artifacts.modelTopology,
    weightSpecs: artifacts.weightSpecs ?? [],
    weightData: joinWeightData(artifacts.weightData),
  };
}

function compareEntries(a: SavedModelEntry, b: SavedModelEntry): number {
  const aTime = 'metadata' in a ? a.metadata.createdAt : null;
  const bTime = 'metadata' in b ? b.metadata.createdAt : null;
  if (aTime === null || bTime === null) {
    if (aTime !== bTime) return aTime === null ? 1 : -1;
    return a.key.localeCompare(b.key);
  }
  return Date.parse(bTime) - Date.parse(aTime) || a.key.localeCompare(b.key);
}

/** What the store's operations share: the databases' access and the injectable hooks. */
interface StoreContext {
  idbFactory: IDBFactory | undefined;
  artifactIo: ModelArtifactIo;
  now: () => Date;
  createId: () => string;
  afterModelWritten?: () => void | Promise<void>;
}

export function createModelStore(options: ModelStoreOptions = {}): ModelStore {
  const context: StoreContext = {
    idbFactory: 'idbFactory' in options ? options.idbFactory : globalIndexedDb(),
    artifactIo: options.artifactIo ?? createTfjsArtifactIo(),
    now: options.now ?? (() => new Date()),
    createId: options.createId ?? (() => crypto.randomUUID()),
    afterModelWritten: options.afterModelWritten,
  };
  return {
    isStorageAvailable: () => isStorageAvailable(context),
    saveModel: (model, details) => saveModel(context, model, details),
    listSavedModels: () => listSavedModels(context),
    loadSavedModel: (id) => loadSavedModel(context, id),
    deleteSavedModel: (id) => deleteSavedModel(context, id),
  };
}

const readRecord = (context: StoreContext, key: string) =>
  withStudioTransaction(context.idbFactory, [METADATA_STORE], 'readonly', (tx) =>
    requestResult(
      tx.objectStore(METADATA_STORE).get(key) as IDBRequest<MetadataRecord | undefined>,
    ),
  );

async function isStorageAvailable(context: StoreContext): Promise<StorageAvailability> {
  if (!context.idbFactory) {
    return {
      available: false,
      reason: 'This browser does not provide IndexedDB (it may be turned off by a setting).',
    };
  }
  try {
    (await openStudioDb(context.idbFactory)).close();
  } catch (error) {
    return { available: false, reason: toReadError('browser storage', error).message };
  }
  if (tf.io.getSaveHandlers(modelKey('availability-probe')).length === 0) {
    return { available: false, reason: tfjsUnavailableReason() };
  }
  return { available: true };
}

async function saveModel(
  context: StoreContext,
  model: SerializedModel,
  details: SaveModelDetails,
): Promise<ModelMetadata> {
  const id = context.createId();
  const key = modelKey(id);
  const metadata = createModelMetadata({
    ...details,
    id,
    tfjsVersion: details.tfjsVersion ?? tf.version.tfjs,
    createdAt: context.now(),
    sizeBytes: serializedModelSizeBytes(model),
  });
  if (await readRecord(context, key)) {
    throw new StorageError('write-failed', `Could not save the model: id ${id} is taken.`);
  }
  try {
    await context.artifactIo.save(key, {
      modelTopology: model.modelTopology,
      weightSpecs: model.weightSpecs,
      weightData: model.weightData,
    });
    await context.afterModelWritten?.();
    const record: MetadataRecord = { key, metadata };
    await withStudioTransaction(context.idbFactory, [METADATA_STORE], 'readwrite', (tx) =>
      requestResult(tx.objectStore(METADATA_STORE).add(record)),
    );
  } catch (error) {
    // Only this save's key: the id is fresh, so nothing else lives there.
    await context.artifactIo.remove(key).catch(() => undefined);
    throw toWriteError(`the model "${details.name}"`, error);
  }
  return metadata;
}

async function listSavedModels(context: StoreContext): Promise<SavedModelEntry[]> {
  let records: MetadataRecord[];
  try {
    records = await withStudioTransaction(context.idbFactory, [METADATA_STORE], 'readonly', (tx) =>
      requestResult(tx.objectStore(METADATA_STORE).getAll() as IDBRequest<MetadataRecord[]>),
    );
  } catch (error) {
    throw toReadError('the list of saved models', error);
  }
  return records
    .map((record): SavedModelEntry => {
      const key = String(record.key);
      if (!isModelMetadata(record.metadata)) {
        return { key, unreadable: describeUnreadable(record.metadata) };
      }
      if (modelKey(record.metadata.id) !== key) {
        return { key, unreadable: 'metadata id does not match its key' };
      }
      return { key, metadata: record.metadata };
    })
    .sort(compareEntries);
}

async function loadSavedModel(context: StoreContext, id: string): Promise<LoadedModel> {
  const key = modelKey(id);
  let record: MetadataRecord | undefined;
  try {
    record = await readRecord(context, key);
  } catch (error) {
    throw toReadError('the saved model', error);
  }
  if (!record) throw new StorageError('not-found', `No saved model with id ${id}.`);
  if (!isModelMetadata(record.metadata)) {
    throw new StorageError(
      'unreadable',
      `The saved model cannot be read: ${describeUnreadable(record.metadata)}.`,
    );
  }
  try {
    return {
      artifacts: toSerializedModel(await context.artifactIo.load(key)),
      metadata: record.metadata,
    };
  } catch (error) {
    throw toReadError(`the weights of "${record.metadata.name}"`, error);
  }
}

async function deleteSavedModel(context: StoreContext, id: string): Promise<void> {
  const key = modelKey(id);
  try {
    // Model first: if this fails the entry stays listed and the user can retry.
    await context.artifactIo.remove(key);
    await withStudioTransaction(context.idbFactory, [METADATA_STORE], 'readwrite', (tx) =>
      requestResult(tx.objectStore(METADATA_STORE).delete(key)),
    );
  } catch (error) {
    if (error instanceof StorageError) throw error;
    const detail = errorMessage(error);
    throw new StorageError('write-failed', `Could not delete the saved model: ${detail}`, {
      cause: error,
    });
  }
}
