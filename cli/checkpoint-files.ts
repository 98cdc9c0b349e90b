/**
 * A run's checkpoint on disk, in `<out>/checkpoint/`: the engine's checkpoint (read back from
 * the host page's IndexedDB at the run's start and after every epoch) as `checkpoint.json`
 * plus its binary parts
 * (weights, optimizer slots, best weights), and what the command needs to continue it (data
 * paths, backend). Replaced as the page's store replaces its own: the new epoch's binary files
 * are written under new names, then `checkpoint.json` is swapped in by one rename (the pointer
 * flip), then files of older epochs go. A crash at any step leaves a complete checkpoint.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EncodedCheckpoint } from '../src/app/cli-host-protocol';
import { CHECKPOINT_SCHEMA_VERSION, findCheckpointProblem } from '../src/storage/checkpoint-store';
import type { BackendPreference, EpochMetrics } from '../src/training/run-types';
import { UsageError } from './usage-error';

export const CHECKPOINT_DIR_NAME = 'checkpoint';
const CHECKPOINT_JSON = 'checkpoint.json';
const CHECKPOINT_FORMAT = 'fashion-mnist-studio checkpoint';
const CHECKPOINT_FILE_VERSION = 1;

/** What the command line needs besides the engine's checkpoint to continue a run. */
export interface RunInvocation {
  /** Absolute paths of the data files the run trains on. */
  dataFiles: string[];
  backend: BackendPreference;
  /** --monitor-test: the resumed run goes on evaluating the test set after every epoch. */
  monitorTest?: boolean;
}

type OptimizerEntry = EncodedCheckpoint['optimizerState'][number];

/** `checkpoint.json`: the checkpoint without its binary parts, which it names. */
interface CheckpointJson {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_FILE_VERSION;
  /** ISO 8601 time of the write. */
  savedAt: string;
  invocation: RunInvocation;
  run: Omit<EncodedCheckpoint, 'model' | 'optimizerState' | 'best'>;
  model: Omit<EncodedCheckpoint['model'], 'weightData'> & { weightsFile: string };
  /** The slots back to back in `file`, in this order. */
  optimizer: { file: string; entries: (Omit<OptimizerEntry, 'data'> & { byteLength: number })[] };
  best?: { epoch: number; valAccuracy: number; weightsFile?: string };
}

const fromBase64 = (text: string) => Buffer.from(text, 'base64');

/** Writes the checkpoint into `<outDir>/checkpoint/`, replacing the previous one atomically. */
export async function writeCheckpointFiles(
  outDir: string,
  checkpoint: EncodedCheckpoint,
  invocation: RunInvocation,
): Promise<void> {
  const dir = join(outDir, CHECKPOINT_DIR_NAME);
  mkdirSync(dir, { recursive: true });
  const stem = `epoch-${checkpoint.epoch}`;
  const { model, optimizerState, best, ...run } = checkpoint;
  const optimizerParts = optimizerState.map((entry) => fromBase64(entry.data));
  const json: CheckpointJson = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_FILE_VERSION,
    savedAt: new Date().toISOString(),
    invocation,
    run,
    model: {
      modelTopology: model.modelTopology,
      weightSpecs: model.weightSpecs,
      weightsFile: `weights-${stem}.bin`,
    },
    optimizer: {
      file: `optimizer-${stem}.bin`,
      entries: optimizerState.map(({ name, shape, dtype }, i) => ({
        name,
        shape,
        dtype,
        byteLength: optimizerParts[i].byteLength,
      })),
    },
    ...(best
      ? {
          best: {
            epoch: best.epoch,
            valAccuracy: best.valAccuracy,
            ...(best.weightData ? { weightsFile: `best-weights-${stem}.bin` } : {}),
          },
        }
      : {}),
  };
  await writeFile(join(dir, json.model.weightsFile), fromBase64(model.weightData));
  await writeFile(join(dir, json.optimizer.file), Buffer.concat(optimizerParts));
  if (best?.weightData && json.best?.weightsFile) {
    await writeFile(join(dir, json.best.weightsFile), fromBase64(best.weightData));
  }
  await writeFile(join(dir, `${CHECKPOINT_JSON}.tmp`), JSON.stringify(json, null, 1));
  renameSync(join(dir, `${CHECKPOINT_JSON}.tmp`), join(dir, CHECKPOINT_JSON));
  const current = new Set([CHECKPOINT_JSON, json.model.weightsFile, json.optimizer.file]);
  if (json.best?.weightsFile) current.add(json.best.weightsFile);
  for (const name of readdirSync(dir)) if (!current.has(name)) rmSync(join(dir, name));
}

/** Removes a finished run's checkpoint (nothing is left to continue). */
export function removeCheckpointFiles(outDir: string): void {
  rmSync(join(outDir, CHECKPOINT_DIR_NAME), { recursive: true, force: true });
}

export function hasCheckpointFiles(runDir: string): boolean {
  return existsSync(join(runDir, CHECKPOINT_DIR_NAME, CHECKPOINT_JSON));
}

/** A binary part of the checkpoint, as an exact ArrayBuffer (a Buffer may share a pool). */
function readPart(dir: string, name: string): ArrayBuffer {
  const bytes = readFileSync(join(dir, name));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

const toBase64 = (bytes: ArrayBuffer) => Buffer.from(bytes).toString('base64');

/** JSON writes NaN (no validation split) as null; the engine's metrics hold NaN. */
function withNaNs(metrics: EpochMetrics): EpochMetrics {
  const number = (value: number | null) => value ?? Number.NaN;
  return {
    ...metrics,
    loss: number(metrics.loss),
    accuracy: number(metrics.accuracy),
    valLoss: number(metrics.valLoss),
    valAccuracy: number(metrics.valAccuracy),
  };
}

/** Bytes the weight specs describe (every weight of our models is float32). */
function weightBytes(specs: EncodedCheckpoint['model']['weightSpecs']): number {
  return specs.reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1) * 4, 0);
}

/** Reads and checks the checkpoint of `runDir`; a UsageError says what is missing or damaged. */
export function readCheckpointFiles(runDir: string): {
  checkpoint: EncodedCheckpoint;
  invocation: RunInvocation;
} {
  const dir = join(runDir, CHECKPOINT_DIR_NAME);
  const damaged = (why: string) =>
    new UsageError(`The checkpoint in ${dir} cannot be resumed: ${why}.`);
  let json: CheckpointJson;
  let weights: ArrayBuffer;
  let optimizer: ArrayBuffer;
  let bestWeights: ArrayBuffer | undefined;
  try {
    json = JSON.parse(readFileSync(join(dir, CHECKPOINT_JSON), 'utf8')) as CheckpointJson;
    if (json.format !== CHECKPOINT_FORMAT || json.version !== CHECKPOINT_FILE_VERSION) {
      throw damaged(`it is not a version ${CHECKPOINT_FILE_VERSION} checkpoint of this command`);
    }
    weights = readPart(dir, json.model.weightsFile);
    optimizer = readPart(dir, json.optimizer.file);
    bestWeights = json.best?.weightsFile ? readPart(dir, json.best.weightsFile) : undefined;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw damaged(error instanceof Error ? error.message : String(error));
  }
  if (weights.byteLength !== weightBytes(json.model.weightSpecs)) {
    throw damaged(`${json.model.weightsFile} does not hold the weights its specs describe`);
  }
  let offset = 0;
  const optimizerState = json.optimizer.entries.map(({ byteLength, ...entry }) => {
    const data = optimizer.slice(offset, offset + byteLength);
    offset += byteLength;
    return { ...entry, data };
  });
  if (offset !== optimizer.byteLength) throw damaged(`${json.optimizer.file} has the wrong size`);
  const best = json.best && {
    epoch: json.best.epoch,
    valAccuracy: json.best.valAccuracy,
    ...(bestWeights ? { weightData: bestWeights } : {}),
  };
  // The page's store checks what it reads back the same way.
  const problem = findCheckpointProblem({
    ...json.run,
    schemaVersion: CHECKPOINT_SCHEMA_VERSION,
    key: CHECKPOINT_JSON,
    createdAt: json.savedAt,
    model: {
      modelTopology: json.model.modelTopology,
      weightSpecs: json.model.weightSpecs,
      weightData: weights,
    },
    optimizerState,
    ...(best ? { best } : {}),
  });
  if (problem) throw damaged(problem);
  return {
    invocation: json.invocation,
    checkpoint: {
      ...json.run,
      history: json.run.history.map(withNaNs),
      model: {
        modelTopology: json.model.modelTopology,
        weightSpecs: json.model.weightSpecs,
        weightData: toBase64(weights),
      },
      optimizerState: optimizerState.map((entry) => ({ ...entry, data: toBase64(entry.data) })),
      ...(best
        ? {
            best: {
              epoch: best.epoch,
              valAccuracy: best.valAccuracy,
              ...(bestWeights ? { weightData: toBase64(bestWeights) } : {}),
            },
          }
        : {}),
    },
  };
}
