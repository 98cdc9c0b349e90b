/**
 * `npm run train` end to end, as a person runs it: the command trains in headless Chromium on
 * the production build and leaves the tab's model files, history, metrics and charts; the
 * model loads in TensorFlow.js in Node and in the tab; bad input stops it before training with
 * the tab's messages; Ctrl-C keeps a checkpoint (the run's starting point during epoch 1) that
 * --resume continues to the same weights.
 */
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import '@tensorflow/tfjs-backend-wasm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { MAX_PIXEL_VALUE, PIXELS_PER_IMAGE } from '../../src/config/dataset';
import { csvFixture, idxFile, PROJECT_ROOT } from '../support/fixtures';
import { expectCounts, uploadFiles, waitForTestAccuracy } from './app-driver';
import { launchChromium, openApp } from './chromium';

const MINUTE_MS = 60_000;
const CLI_ENTRY = join(PROJECT_ROOT, 'cli', 'train.mjs');
/** The seed CNN's parameter count (the seed project's summary). */
const SEED_CNN_PARAMETERS = 484_302;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** `Epoch 3/10 · 262 s · loss 0.3120 · accuracy 0.8870 · val_loss 0.2950 · val_accuracy 0.8931` */
const epochLine = (epoch: number, epochs: number) =>
  new RegExp(
    `^Epoch ${epoch}/${epochs} · \\d+ s · loss \\d+\\.\\d{4} · accuracy [01]\\.\\d{4} · ` +
      `val_loss \\d+\\.\\d{4} · val_accuracy [01]\\.\\d{4}$`,
    'm',
  );

/** The note a run prints when it has to build dist/ first (the sources changed since). */
const BUILD_NOTE = /^Building the app first \(vite build\).*\n/m;

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** How often a run waiting for a file to appear looks for it. */
const FILE_POLL_INTERVAL_MS = 25;

/**
 * Runs `node cli/train.mjs …args` as `npm run train -- …args` would; with `interruptOn`, sends
 * SIGINT (Ctrl-C) as soon as stdout matches it, with `interruptWhenExists` as soon as that
 * file exists.
 */
function runCli(
  args: string[],
  options: {
    env?: Record<string, string>;
    interruptOn?: RegExp;
    interruptWhenExists?: string;
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_ENTRY, ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, INIT_CWD: PROJECT_ROOT, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    let isInterrupted = false;
    const interrupt = () => {
      if (isInterrupted) return;
      isInterrupted = true;
      child.kill('SIGINT');
    };
    const { interruptWhenExists } = options;
    const poll =
      interruptWhenExists === undefined
        ? undefined
        : setInterval(() => {
            if (existsSync(interruptWhenExists)) interrupt();
          }, FILE_POLL_INTERVAL_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (options.interruptOn?.test(stdout)) interrupt();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => {
      clearInterval(poll);
      resolve({ status, stdout, stderr: stderr.replace(BUILD_NOTE, '') });
    });
  });
}

const outDirIn = (prefix: string) => join(mkdtempSync(join(tmpdir(), prefix)), 'run');

/** The first `count` rows of a Kaggle-layout CSV: images as float32 [count, 28, 28, 1] in [0, 1]. */
function readCsvSplit(path: string): { images: Float32Array; labels: number[] } {
  const rows = readFileSync(path, 'utf8').trimEnd().split('\n').slice(1);
  const images = new Float32Array(rows.length * PIXELS_PER_IMAGE);
  const labels = rows.map((row, i) => {
    const [label, ...pixels] = row.split(',').map(Number);
    pixels.forEach((value, j) => (images[i * PIXELS_PER_IMAGE + j] = value / MAX_PIXEL_VALUE));
    return label;
  });
  return { images, labels };
}

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
  // The seed CNN on 2,000 images: minutes on tfjs' cpu kernels, seconds on WASM (XNNPACK).
  await tf.setBackend('wasm');
});
afterAll(async () => {
  await browser?.close();
});

describe('a run of 2 epochs on the 2,000-row subsets', () => {
  const subset = csvFixture('subset');
  const outDir = outDirIn('fms-cli-');
  let result: CliResult;

  beforeAll(async () => {
    result = await runCli([
      '--path',
      join(subset.trainCsv, '..'),
      '--epochs',
      '2',
      '--seed',
      '7',
      '--out',
      outDir,
    ]);
  }, 15 * MINUTE_MS);

  test('exits 0 with the epoch lines, the results and every file', () => {
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const { stdout } = result;
    expect(stdout).toMatch(/^Training set: 2,000 images from fashion-mnist_train\.csv/m);
    expect(stdout).toMatch(/^Backend: wasm in a Web Worker · \d+ threads?, SIMD/m);
    expect(stdout).toMatch(epochLine(1, 2));
    expect(stdout).toMatch(epochLine(2, 2));
    // Not a terminal: no progress bar, only lines.
    expect(stdout).not.toContain('\u001b[');
    expect(stdout).toMatch(/^Test \(2,000 images\): loss \d+\.\d{4} · accuracy [01]\.\d{4}$/m);
    expect(stdout).toMatch(/^ {2}9 Ankle boot +[01]\.\d{4} +188 images$/m);
    expect(stdout).toContain('Confusion matrix (rows: true class, columns: predicted class):');
    expect(stdout).toContain(`Files in ${outDir}/`);
    expect(readdirSync(outDir).sort()).toEqual([
      'accuracy.png',
      'confusion.png',
      'history.csv',
      'loss.png',
      'metrics.json',
      'seed-cnn.json',
      'seed-cnn.metadata.json',
      'seed-cnn.weights.bin',
    ]);
    for (const image of ['loss.png', 'accuracy.png', 'confusion.png']) {
      const bytes = readFileSync(join(outDir, image));
      expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      expect(bytes.byteLength).toBeGreaterThan(10_000);
      // The tab's Download PNG, at twice the chart's CSS size (640 px for the epoch charts).
      const widthPx = bytes.readUInt32BE(16);
      expect(widthPx, image).toBeGreaterThanOrEqual(image === 'confusion.png' ? 900 : 1280);
    }
    const history = readFileSync(join(outDir, 'history.csv'), 'utf8').trimEnd().split('\n');
    expect(history[0]).toBe('epoch,loss,accuracy,val_loss,val_accuracy,seconds,lr');
    expect(history.slice(1).map((row) => row.split(',')[0])).toEqual(['1', '2']);
    expect(history.slice(1).map((row) => row.split(',')[6])).toEqual(['0.001', '0.001']);
  });

  test('the model loads in TensorFlow.js in Node with 484,302 parameters and scores what metrics.json says', async () => {
    const metrics = JSON.parse(readFileSync(join(outDir, 'metrics.json'), 'utf8'));
    const metadata = JSON.parse(readFileSync(join(outDir, 'seed-cnn.metadata.json'), 'utf8'));
    const modelJson = JSON.parse(readFileSync(join(outDir, 'seed-cnn.json'), 'utf8'));
    expect(modelJson.weightsManifest[0].paths).toEqual(['./seed-cnn.weights.bin']);
    expect(metrics.parameters).toEqual({ total: SEED_CNN_PARAMETERS, trainable: 484_172 });
    expect(metrics.settings).toMatchObject({ architectureId: 'seed-cnn', epochs: 2, seed: 7 });
    expect(metadata).toMatchObject({ architectureId: 'seed-cnn', epochsCompleted: 2 });
    expect(metadata.testAccuracy).toBe(metrics.test.accuracy);

    const weights = readFileSync(join(outDir, 'seed-cnn.weights.bin'));
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest[0].weights,
        weightData: weights.buffer.slice(
          weights.byteOffset,
          weights.byteOffset + weights.byteLength,
        ),
      }),
    );
    expect(model.countParams()).toBe(SEED_CNN_PARAMETERS);
    const test = readCsvSplit(subset.testCsv);
    const predicted = tf.tidy(() => {
      const xs = tf.tensor4d(test.images, [test.labels.length, 28, 28, 1]);
      return (model.predict(xs, { batchSize: 256 }) as tf.Tensor2D)
        .argMax(1)
        .arraySync() as number[];
    });
    model.dispose();
    const correct = predicted.filter((label, i) => label === test.labels[i]).length;
    expect(metrics.test.images).toBe(2000);
    expect(correct / test.labels.length).toBe(metrics.test.accuracy);
  });

  test('the tab loads the model through `Model files` and scores the same', async () => {
    const metrics = JSON.parse(readFileSync(join(outDir, 'metrics.json'), 'utf8'));
    const app = await openApp(browser, inject('baseUrl'), '?backend=wasm');
    try {
      const { page } = app;
      await uploadFiles(page, [subset.trainCsv, subset.testCsv]);
      await expectCounts(page, { train: '2,000', test: '2,000' });
      const modelFiles = ['seed-cnn.json', 'seed-cnn.weights.bin', 'seed-cnn.metadata.json'];
      await page.getByLabel('Model files').setInputFiles(modelFiles.map((f) => join(outDir, f)));
      expect(await waitForTestAccuracy(page, 3 * MINUTE_MS)).toBeCloseTo(metrics.test.accuracy, 6);
      expect(await page.getByText('Current model:').innerText()).toMatch(
        /seed-cnn .*loaded from files/,
      );
      expect(app.foreignRequests).toEqual([]);
    } finally {
      await app.context.close();
    }
  });
});

describe('bad input: exit 2 with its message before training, nothing written', () => {
  const small = csvFixture('small');

  async function expectRefused(args: string[], message: string, env?: Record<string, string>) {
    const outDir = outDirIn('fms-cli-bad-');
    const { status, stdout, stderr } = await runCli([...args, '--out', outDir], { env });
    expect({ status, stdout, stderr }).toEqual({ status: 2, stdout: '', stderr: `${message}\n` });
    expect(existsSync(outDir)).toBe(false);
  }

  test('a path that does not exist, a folder without the dataset, an unknown flag, no Chromium', async () => {
    const missing = join(tmpdir(), 'fms-no-such-folder');
    await expectRefused(['--path', missing], `--path ${missing}: no such file or folder.`);
    const empty = mkdtempSync(join(tmpdir(), 'fms-empty-'));
    writeFileSync(join(empty, 'notes.txt'), 'not data');
    await expectRefused(
      ['--path', empty],
      `${empty} holds no Fashion-MNIST dataset: expected fashion-mnist_train.csv, or ` +
        'train-images-idx3-ubyte and train-labels-idx1-ubyte, and fashion-mnist_test.csv, or ' +
        "t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (IDX files gzipped or not), or Kaggle's archive.zip.",
    );
    await expectRefused(
      ['--path', join(small.trainCsv, '..'), '--bogus'],
      'Unknown flag --bogus (npm run train -- --help lists them).',
    );
    await expectRefused(
      ['--path', join(small.trainCsv, '..'), '--epochs', '2.5'],
      'The number of epochs must be a whole number from 0 to 1000.',
    );
    await expectRefused(
      ['--path', join(small.trainCsv, '..')],
      "Chromium not found at /nonexistent/chromium: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH.",
      { CHROMIUM_PATH: '/nonexistent/chromium' },
    );
  });

  test(
    "a CSV with a wrong label gets the tab's message (file, line, column)",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'fms-bad-csv-'));
      const lines = readFileSync(small.trainCsv, 'utf8').split('\n');
      // Line 3 of the file (the second image): its label becomes 12.
      lines[2] = lines[2].replace(/^\d+,/, '12,');
      writeFileSync(join(dir, 'fashion-mnist_train.csv'), lines.join('\n'));
      copyFileSync(small.testCsv, join(dir, 'fashion-mnist_test.csv'));
      await expectRefused(
        ['--path', dir],
        'fashion-mnist_train.csv, line 3, column label: expected an integer from 0 to 9, found "12".',
      );
    },
    5 * MINUTE_MS,
  );
});

describe("Kaggle's archive.zip as --path", () => {
  const small = csvFixture('small');
  const rawIdx = (name: Parameters<typeof idxFile>[0]) => gunzipSync(readFileSync(idxFile(name)));

  /** Kaggle's layout (both CSVs, here the 100-row ones, and the four real IDX files), stored. */
  function kaggleArchive(): string {
    const path = join(mkdtempSync(join(tmpdir(), 'fms-cli-zip-')), 'archive.zip');
    const zip = zipSync(
      {
        'fashion-mnist_test.csv': readFileSync(small.testCsv),
        'fashion-mnist_train.csv': readFileSync(small.trainCsv),
        't10k-images-idx3-ubyte': rawIdx('t10k-images-idx3-ubyte.gz'),
        't10k-labels-idx1-ubyte': rawIdx('t10k-labels-idx1-ubyte.gz'),
        'train-images-idx3-ubyte': rawIdx('train-images-idx3-ubyte.gz'),
        'train-labels-idx1-ubyte': rawIdx('train-labels-idx1-ubyte.gz'),
      },
      { level: 0 },
    );
    writeFileSync(path, zip);
    return path;
  }

  test(
    "trains on the archive's CSVs, says which entries it used, and refuses a damaged archive",
    async () => {
      const archive = kaggleArchive();
      const outDir = outDirIn('fms-cli-zip-out-');
      const run = await runCli([
        ...['--path', archive, '--architecture', 'conv1', '--epochs', '1'],
        ...['--batch-size', '40', '--seed', '3', '--out', outDir],
      ]);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(
        /^Training set: 100 images from archive\.zip\/fashion-mnist_train\.csv \(/m,
      );
      expect(run.stdout).toMatch(
        /^Test set: 100 images from archive\.zip\/fashion-mnist_test\.csv \(/m,
      );
      expect(run.stdout).toContain(
        'In archive.zip: Training set: used fashion-mnist_train.csv; ignored train-images-idx3-ubyte and train-labels-idx1-ubyte (when a split comes both as CSV and as IDX files, the CSV is used).',
      );
      expect(run.stdout).toMatch(epochLine(1, 1));
      expect(existsSync(join(outDir, 'conv1.weights.bin'))).toBe(true);

      const bytes = readFileSync(archive);
      const damaged = join(mkdtempSync(join(tmpdir(), 'fms-cli-zip-bad-')), 'archive.zip');
      writeFileSync(damaged, bytes.subarray(0, bytes.length - 4096));
      const badOut = outDirIn('fms-cli-zip-bad-out-');
      const refused = await runCli(['--path', damaged, '--out', badOut]);
      expect(refused).toEqual({
        status: 2,
        stdout: '',
        stderr:
          'archive.zip: expected a ZIP archive (its directory of files at the end of the file), found a damaged or truncated ZIP file (its directory is missing).\n',
      });
      expect(existsSync(badOut)).toBe(false);
    },
    10 * MINUTE_MS,
  );
});

describe('Ctrl-C, then --resume', () => {
  // On WASM with our threaded convolution kernels, as the app trains without a GPU: their
  // filter gradients sum fixed blocks of images in a fixed order, so a seeded run repeats bit
  // for bit however the threads share the work. Adam, the default, whose running β products
  // the checkpoint keeps. conv1 at batch 8 on the 1,600 training rows: 200 batches an epoch,
  // long beside the time a stop takes to reach the engine, so it lands in the epoch in progress.
  const subset = csvFixture('subset');
  const flags = ['--path', join(subset.trainCsv, '..'), '--backend', 'wasm'];
  flags.push('--architecture', 'conv1', '--epochs', '2', '--batch-size', '8');
  const BATCHES_PER_EPOCH = 200;
  const STOPPING_NOTE = 'Stopping at the next batch boundary… (Ctrl-C again to quit at once)\n';
  /** `Stopped after 1 of 2 epochs (epoch 2 stopped after batch 37 of 200).` */
  const STOPPED_LINE =
    /^Stopped after (\d) of 2 epochs(?: \(epoch (\d) stopped after batch (\d+) of (\d+)\))?\.$/m;
  /** Set by the first test: the seed the command chose, which the uninterrupted run is given. */
  let seed: number;
  let stoppedInEpoch1Dir: string;
  let uninterruptedDir: string;

  const weightsOf = (dir: string) => readFileSync(join(dir, 'conv1.weights.bin'));
  /** history.csv without its seconds column: the same metrics epoch by epoch. */
  const historyOf = (dir: string) =>
    readFileSync(join(dir, 'history.csv'), 'utf8')
      .split('\n')
      .map((row) => row.split(',').toSpliced(5, 1).join(','));

  /** Where in its epoch the stop landed: the epochs kept, and the batches of the next one. */
  function expectStoppedInsideEpoch(stdout: string, epochsKept: number): void {
    const [, kept, epoch, batch, batches] = STOPPED_LINE.exec(stdout) ?? [];
    expect(Number(kept)).toBe(epochsKept);
    // A stop before the epoch's first batch prints no batch; one after its last cannot happen.
    if (epoch !== undefined) {
      expect(Number(epoch)).toBe(epochsKept + 1);
      expect(Number(batches)).toBe(BATCHES_PER_EPOCH);
      expect(Number(batch)).toBeLessThan(BATCHES_PER_EPOCH);
    }
    // The epoch in progress never ended: its line is not printed.
    expect(stdout).not.toMatch(new RegExp(`^Epoch ${epochsKept + 1}/2 `, 'm'));
  }

  test(
    "Ctrl-C in epoch 1 keeps the run's starting point, with the seed the command chose",
    async () => {
      stoppedInEpoch1Dir = outDirIn('fms-cli-stopped-1-');
      const checkpointJson = join(stoppedInEpoch1Dir, 'checkpoint', 'checkpoint.json');
      // No --seed: the command picks one and prints it. Ctrl-C once the starting point is on
      // disk, i.e. while the first epoch trains.
      const stopped = await runCli([...flags, '--out', stoppedInEpoch1Dir], {
        interruptWhenExists: checkpointJson,
      });
      expect(stopped.status, stopped.stderr).toBe(130);
      expect(stopped.stderr).toContain(STOPPING_NOTE);
      seed = Number(/ · seed (\d+) \(chosen at random\)/.exec(stopped.stdout)?.[1]);
      expect(Number.isInteger(seed)).toBe(true);
      expectStoppedInsideEpoch(stopped.stdout, 0);
      expect(stopped.stdout).toContain(
        `The run's starting point is in ${stoppedInEpoch1Dir}/checkpoint/. Continue the run with:\n` +
          `  npm run train -- --resume ${stoppedInEpoch1Dir}\n`,
      );
      const { run, optimizer } = JSON.parse(readFileSync(checkpointJson, 'utf8'));
      expect(run).toMatchObject({ epoch: 0, history: [], shuffleSeed: seed });
      expect(run.params).toMatchObject({ seed, epochs: 2, batchSize: 8 });
      // Adam has taken no step: its step count and running products, no moments yet.
      expect(optimizer.entries.map((entry: { name: string }) => entry.name)).toEqual([
        'iter',
        'running-product/accBeta1',
        'running-product/accBeta2',
      ]);
      expect(readdirSync(stoppedInEpoch1Dir)).toEqual(['checkpoint']);
    },
    10 * MINUTE_MS,
  );

  test(
    'the uninterrupted run with that seed, for the resumed runs to be compared with',
    async () => {
      uninterruptedDir = outDirIn('fms-cli-whole-');
      const uninterrupted = await runCli([
        ...flags,
        '--seed',
        String(seed),
        '--out',
        uninterruptedDir,
      ]);
      expect(uninterrupted.status, uninterrupted.stderr).toBe(0);
      expect(uninterrupted.stdout).toMatch(
        /convolutions: own (relaxed-)?SIMD(128)? kernels, \d+ threads? \(first layer's forward on tfjs's XNNPACK\)/,
      );
      expect(uninterrupted.stdout).toMatch(new RegExp(` · seed ${seed}$`, 'm'));
      expect(uninterrupted.stdout).not.toContain('chosen at random');
    },
    10 * MINUTE_MS,
  );

  test(
    '--resume from the starting point ends on the uninterrupted weights, bit for bit',
    async () => {
      const resumed = await runCli(['--resume', stoppedInEpoch1Dir]);
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(resumed.stdout).toContain("Resuming from the run's starting point, at epoch 1.");
      expect(resumed.stdout).toMatch(epochLine(1, 2));
      expect(resumed.stdout).toMatch(epochLine(2, 2));
      expect(weightsOf(stoppedInEpoch1Dir).equals(weightsOf(uninterruptedDir))).toBe(true);
      expect(historyOf(stoppedInEpoch1Dir)).toEqual(historyOf(uninterruptedDir));
      const metrics = JSON.parse(readFileSync(join(stoppedInEpoch1Dir, 'metrics.json'), 'utf8'));
      expect(metrics.settings.seed).toBe(seed);
      expect(existsSync(join(stoppedInEpoch1Dir, 'checkpoint'))).toBe(false);
    },
    10 * MINUTE_MS,
  );

  test(
    "Ctrl-C in epoch 2 stops inside it, keeps epoch 1's checkpoint, and --resume ends on the uninterrupted weights",
    async () => {
      const runDir = outDirIn('fms-cli-stopped-2-');
      const seeded = [...flags, '--seed', String(seed), '--out', runDir];
      const stopped = await runCli(seeded, { interruptOn: /^Epoch 1\/2 /m });
      expect(stopped.status, stopped.stderr).toBe(130);
      expect(stopped.stderr).toContain(STOPPING_NOTE);
      expect(stopped.stdout).toMatch(epochLine(1, 2));
      expectStoppedInsideEpoch(stopped.stdout, 1);
      expect(stopped.stdout).toContain(
        `The checkpoint after epoch 1 is in ${runDir}/checkpoint/. Continue the run with:\n` +
          `  npm run train -- --resume ${runDir}\n`,
      );
      expect(existsSync(join(runDir, 'conv1.weights.bin'))).toBe(false);

      const resumed = await runCli(['--resume', runDir]);
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(resumed.stdout).toContain('Resuming after epoch 1.');
      expect(resumed.stdout).not.toMatch(epochLine(1, 2));
      expect(resumed.stdout).toMatch(epochLine(2, 2));
      expect(weightsOf(runDir).equals(weightsOf(uninterruptedDir))).toBe(true);
      expect(historyOf(runDir)).toEqual(historyOf(uninterruptedDir));
      expect(existsSync(join(runDir, 'checkpoint'))).toBe(false);
    },
    10 * MINUTE_MS,
  );
});
