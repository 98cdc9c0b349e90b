/**
 * The Data section when a drop holds more than one source for a split, or a whole folder:
 * nothing is dropped without a word (real Fashion-MNIST rows, read on this thread).
 */
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { readFileSync } from 'node:fs';
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
