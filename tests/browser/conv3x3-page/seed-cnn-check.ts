/**
 * The whole seed CNN on our kernels in Chromium, configured as the app trains without a GPU:
 * relaxed SIMD on 2 threads over the threaded binary's shared heap, tfjs on one thread. Trains
 * 3 short epochs on real images through the app's loop (validation included), recording
 * tensors and the heap's size at each epoch's end, then compares one real batch's gradients
 * with the stock path's.
 *
 * Why 3 epochs: in a fresh worker the heap grows once, at the first training step after the
 * first validation pass (one of emscripten's 20 % growth steps; tfjs's own convolutions reach
 * their high-water mark within the first epoch), and stays flat from then on. So the second
 * and third epochs' ends are the ones to compare for the heap; tensors are compared at all.
 */
import * as tf from '@tensorflow/tfjs';
import { createSeedCnn } from '../../../src/model/architectures';
import { initBackend } from '../../../src/training/backend/backend';
import {
  heapMemoryOf,
  isSharedMemory,
  isWasmBackendInternals,
} from '../../../src/training/backend/wasm-heap';
import {
  wasmConv3x3Calls,
  type WasmConv3x3Calls,
} from '../../../src/training/backend/wasm-conv3x3';
import { RunControl } from '../../../src/training/run-control';
import type {
  BackendRequest,
  SplitArrays,
  WasmConvKernelInfo,
} from '../../../src/training/run-types';
import { trainModel } from '../../../src/training/train-loop';
import type { TrainingParams } from '../../../src/training/training-params';
import {
  callsSince,
  maxRelativeError,
  seedCnnGradients,
} from '../../unit/training/conv3x3-support';
import { REAL_ROWS, REAL_ROWS_PATH } from './real-rows';

/** Rows of the one batch whose gradients are compared. */
const GRADIENT_BATCH_ROWS = 64;
const APP_CONFIG: WasmConvKernelInfo = { flavour: 'relaxed', threads: 2 };
const TRAINING_EPOCHS = 3;

/** tf.memory() and the WASM heap's size at an epoch's end. */
export interface EpochEnd {
  numTensors: number;
  numBytes: number;
  heapBytes: number;
}

export interface SeedCnnReport {
  ran: WasmConvKernelInfo | undefined;
  reason: string;
  isHeapShared: boolean;
  epochEnds: EpochEnd[];
  /** Our kernels' calls during the training (forward, both gradients, and fallbacks). */
  trainingCalls: WasmConv3x3Calls;
  /** Per trainable weight: max relative error of our gradient against the stock path's. */
  gradientErrors: { name: string; error: number; isNonZero: boolean }[];
}

async function fetchRealRows(): Promise<SplitArrays> {
  const response = await fetch(REAL_ROWS_PATH);
  if (!response.ok) throw new Error(`${REAL_ROWS_PATH}: ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const rows = bytes.length / 785;
  if (!Number.isInteger(rows) || rows < GRADIENT_BATCH_ROWS) {
    throw new Error(`${REAL_ROWS_PATH}: ${bytes.length} bytes is not whole rows of 785`);
  }
  return { images: bytes.slice(0, rows * 784), labels: bytes.slice(rows * 784) };
}

function firstRows(split: SplitArrays, count: number): SplitArrays {
  return { images: split.images.slice(0, count * 784), labels: split.labels.slice(0, count) };
}

const APP_REQUEST: BackendRequest = {
  preference: 'wasm',
  allowSoftwareWebgl: false,
  allowWasmThreads: true,
  wasmConvKernels: APP_CONFIG.flavour,
};

async function trainEpochs(rows: SplitArrays) {
  const info = await initBackend(APP_REQUEST, 'worker', {
    wasmConvKernelThreads: APP_CONFIG.threads,
  });
  const backend: unknown = tf.backend();
  if (!isWasmBackendInternals(backend)) throw new Error('not tfjs-backend-wasm');
  const heap = heapMemoryOf(backend);
  if (heap === null) throw new Error("tfjs-backend-wasm's heap was not found");
  const params: TrainingParams = {
    architectureId: 'seed-cnn',
    epochs: TRAINING_EPOCHS,
    batchSize: 64,
    learningRate: 0.001,
    optimizer: 'adam',
    validationFraction: 64 / REAL_ROWS,
    seed: 5,
  };
  const model = createSeedCnn({ seed: 5 });
  const epochEnds: EpochEnd[] = [];
  const before = wasmConv3x3Calls();
  const outcome = await trainModel(
    model,
    { train: rows },
    params,
    {
      onEpochEnd: () => {
        const { numTensors, numBytes } = tf.memory();
        epochEnds.push({ numTensors, numBytes, heapBytes: heap.buffer.byteLength });
      },
    },
    new RunControl(),
  );
  const trainingCalls = callsSince(before);
  model.dispose();
  if (outcome.end !== 'completed') throw new Error(`training ended: ${outcome.end}`);
  return { info, isHeapShared: isSharedMemory(heap), epochEnds, trainingCalls };
}

export async function checkSeedCnn(): Promise<SeedCnnReport> {
  const rows = await fetchRealRows();
  const trained = await trainEpochs(rows);
  const batch = firstRows(rows, GRADIENT_BATCH_ROWS);
  const stock = await seedCnnGradients(
    { ...APP_REQUEST, wasmConvKernels: 'off', wasmGradientRewrites: false },
    batch,
  );
  // Back to the app's configuration (the binary, chosen once per worker, stays threaded).
  const ours = await seedCnnGradients(APP_REQUEST, batch, {
    wasmConvKernelThreads: APP_CONFIG.threads,
  });
  const gradientErrors = [...stock].map(([name, expected]) => {
    const actual = ours.get(name);
    return {
      name,
      error: actual ? maxRelativeError(actual, expected) : Number.POSITIVE_INFINITY,
      isNonZero: expected.some((v) => v !== 0),
    };
  });
  return {
    ran: trained.info.wasmConvKernels,
    reason: trained.info.reason,
    isHeapShared: trained.isHeapShared,
    epochEnds: trained.epochEnds,
    trainingCalls: trained.trainingCalls,
    gradientErrors,
  };
}
