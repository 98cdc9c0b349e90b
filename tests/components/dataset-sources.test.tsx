/**
 * The Data section when a drop holds more than one source for a split, or a whole folder:
 * nothing is dropped without a word (real Fashion-MNIST rows, read on this thread).
 */
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { idxFile, realCsvText } from '../support/fixtures';
import { DatasetPanel } from '../../src/ui/dataset/dataset-panel';
import { useDataset } from '../../src/ui/dataset/use-dataset';

function DataSection() {
  return <DatasetPanel controller={useDataset()} />;
}

const csvFile = (name: string, text: string) => new File([text], name, { type: 'text/csv' });
const dataPanel = () => screen.getByRole('region', { name: /Data$/ });

/** A file as a folder picker gives it: its path inside the chosen folder. */
function inFolder(file: File, path: string): File {
  Object.defineProperty(file, 'webkitRelativePath', { value: path });
  return file;
}

describe('one split given twice in one drop', () => {
  test('two training CSVs: the page asks which, and loads the one picked', async () => {
    render(<DataSection />);
    const user = userEvent.setup();
    await user.upload(screen.getByLabelText('Dataset files'), [
      csvFile('fashion-mnist_train.csv', realCsvText(100)),
      csvFile('fashion-mnist_train_small.csv', realCsvText(30)),
    ]);
    const question = screen.getByRole('group', {
      name: '2 files were given for the training set; which one should be used?',
    });
    expect(screen.getByText('Training set: not loaded')).toBeTruthy();
    await user.click(
      within(question).getByRole('button', {
        name: 'Use fashion-mnist_train_small.csv for the training set',
      }),
    );
    expect(await screen.findByText('Training set: 30 images')).toBeTruthy();
    expect(screen.queryByRole('group', { name: /training set; which one/ })).toBeNull();
  });

  test('a CSV and the IDX pair of one split: the CSV is used and the page says so', async () => {
    render(<DataSection />);
    const gz = (name: Parameters<typeof idxFile>[0]) =>
      new File([readFileSync(idxFile(name))], name);
    await userEvent
      .setup()
      .upload(screen.getByLabelText('Dataset files'), [
        gz('t10k-images-idx3-ubyte.gz'),
        csvFile('fashion-mnist_test.csv', realCsvText(40, 'test')),
        gz('t10k-labels-idx1-ubyte.gz'),
      ]);
    expect(await screen.findByText('Test set: 40 images')).toBeTruthy();
    expect(
      within(dataPanel()).getByText(
        'Test set: used fashion-mnist_test.csv; ignored t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (when a split comes both as CSV and as IDX files, the CSV is used).',
      ),
    ).toBeTruthy();
  });
});

const encode = (text: string) => new TextEncoder().encode(text);

/** Kaggle's archive.zip layout from real rows: both CSVs and the real test-set IDX pair. */
function kaggleArchive(name: string, trainRows: number, testRows: number): File {
  const raw = (file: Parameters<typeof idxFile>[0]) => gunzipSync(readFileSync(idxFile(file)));
  const zip = zipSync({
    'fashion-mnist_test.csv': encode(realCsvText(testRows, 'test')),
    'fashion-mnist_train.csv': encode(realCsvText(trainRows)),
    't10k-images-idx3-ubyte': raw('t10k-images-idx3-ubyte.gz'),
    't10k-labels-idx1-ubyte': raw('t10k-labels-idx1-ubyte.gz'),
  });
  return new File([zip as BlobPart], name, { type: 'application/zip' });
}

describe('an archive with other sources in one drop', () => {
  test('archive.zip and a loose training CSV: the CSV is the training set, the archive the test set, and the page says why', async () => {
    render(<DataSection />);
    await userEvent
      .setup()
      .upload(screen.getByLabelText('Dataset files'), [
        kaggleArchive('archive.zip', 80, 40),
        csvFile('fashion-mnist_train.csv', realCsvText(30)),
      ]);
    expect(await screen.findByText('Test set: 40 images')).toBeTruthy();
    expect(await screen.findByText('Training set: 30 images')).toBeTruthy();
    const text = dataPanel().textContent ?? '';
    expect(text).toContain(
      "Training set: used fashion-mnist_train.csv; ignored archive.zip's fashion-mnist_train.csv (files given on their own are used over an archive's files for the same split).",
    );
    expect(text).toContain('In archive.zip: Test set: used fashion-mnist_test.csv;');
    expect(text).not.toContain('In archive.zip: Training set');
    expect(within(dataPanel()).queryByRole('alert')).toBeNull();
  });

  test('two archives: the page asks which to use for each split and reads the one picked', async () => {
    render(<DataSection />);
    const user = userEvent.setup();
    const older = kaggleArchive('archive.zip', 20, 10);
    Object.defineProperty(older, 'webkitRelativePath', { value: 'old/archive.zip' });
    await user.upload(screen.getByLabelText('Dataset files'), [
      older,
      kaggleArchive('archive (1).zip', 50, 25),
    ]);
    const question = await screen.findByRole('group', {
      name: '2 files were given for the training set; which one should be used?',
    });
    expect(screen.getByRole('group', { name: /for the test set; which one/ })).toBeTruthy();
    await user.click(
      within(question).getByRole('button', {
        name: 'Use archive (1).zip/fashion-mnist_train.csv for the training set',
      }),
    );
    expect(await screen.findByText('Training set: 50 images')).toBeTruthy();
    expect(screen.getByText('Test set: not loaded')).toBeTruthy();
    await user.click(
      screen.getByRole('button', {
        name: 'Use old/archive.zip/fashion-mnist_test.csv for the test set',
      }),
    );
    expect(await screen.findByText('Test set: 10 images')).toBeTruthy();
    expect(screen.getByText('Training set: 50 images')).toBeTruthy();
  });
});

/**
 * The first `count` images or labels of a real IDX file, with the header's count set to it,
 * gzipped as Zalando ships them.
 */
function idxSubset(name: Parameters<typeof idxFile>[0], count: number): Uint8Array {
  const raw = gunzipSync(readFileSync(idxFile(name)));
  const headerBytes = name.includes('images') ? 16 : 8;
  const itemBytes = name.includes('images') ? 784 : 1;
  const out = new Uint8Array(raw.subarray(0, headerBytes + count * itemBytes));
  new DataView(out.buffer).setUint32(4, count);
  return gzipSync(out);
}

describe('IDX halves without their partners', () => {
  test('a second images file for a split replaces the waiting one, and the page says so', async () => {
    render(<DataSection />);
    const user = userEvent.setup();
    const input = screen.getByLabelText('Dataset files');
    await user.upload(input, [
      new File(
        [idxSubset('t10k-images-idx3-ubyte.gz', 30) as BlobPart],
        't10k-images-idx3-ubyte.gz',
      ),
    ]);
    expect(
      await screen.findByText(/^t10k-images-idx3-ubyte.gz is waiting for its labels file/),
    ).toBeTruthy();
    await user.upload(input, [
      new File(
        [idxSubset('t10k-images-idx3-ubyte.gz', 50) as BlobPart],
        'fashion-t10k-images-idx3-ubyte.gz',
      ),
    ]);
    expect(
      within(dataPanel()).getByText(
        'Test set: using images file fashion-t10k-images-idx3-ubyte.gz; ignored t10k-images-idx3-ubyte.gz, the images file given before it while both waited for a labels file (the later of two is used).',
      ),
    ).toBeTruthy();
    await user.upload(input, [
      new File(
        [idxSubset('t10k-labels-idx1-ubyte.gz', 50) as BlobPart],
        't10k-labels-idx1-ubyte.gz',
      ),
    ]);
    // The later file (50 images) pairs with the 50 labels; the earlier one (30) would not.
    expect(await screen.findByText('Test set: 50 images')).toBeTruthy();
    expect(within(dataPanel()).queryByRole('alert')).toBeNull();
  });
});

describe('a chosen folder', () => {
  test('its dataset files load and the rest is named as ignored, not as errors', async () => {
    render(<DataSection />);
    await userEvent
      .setup()
      .upload(screen.getByLabelText('Dataset folder'), [
        inFolder(
          csvFile('fashion-mnist_train.csv', realCsvText(100)),
          'fmnist/fashion-mnist_train.csv',
        ),
        inFolder(
          csvFile('fashion-mnist_test.csv', realCsvText(20, 'test')),
          'fmnist/fashion-mnist_test.csv',
        ),
        inFolder(new File(['# notes'], 'README.md'), 'fmnist/README.md'),
      ]);
    expect(await screen.findByText('Training set: 100 images')).toBeTruthy();
    expect(await screen.findByText('Test set: 20 images')).toBeTruthy();
    expect(within(dataPanel()).queryByRole('alert')).toBeNull();
    expect(
      within(dataPanel()).getByText(
        'Ignored one file of the folder that is not Fashion-MNIST data: fmnist/README.md.',
      ),
    ).toBeTruthy();
  });
});
