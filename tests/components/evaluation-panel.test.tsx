/** The Results section after a run: headline, summary, per-class table, the images it got wrong. */
import { render, screen, within } from '@testing-library/react';
import { describe, expect, test, vi } from 'vitest';
import { CLASS_NAMES } from '../../src/config/dataset';
import type { EvaluationResult } from '../../src/training/run-types';
import { EvaluationPanel } from '../../src/ui/training/evaluation-panel';
import { realLoadedSplit } from './real-splits';

// The confusion matrix is tfjs-vis drawing into a box; these tests are about the panel's text.
vi.mock('../../src/ui/charts/training-charts', () => ({
  ConfusionMatrixChart: () => <figure aria-label="Confusion matrix stand-in" />,
}));

/** Real test images 1–20: image 1 is an ankle boot, image 5 a shirt. */
const TEST = realLoadedSplit('test', 20);

const PER_CLASS_ACCURACY = [0.854, 0.977, 0.861, 0.912, 0.843, 0.975, 0.701, 0.952, 0.98, 0.96];

const EVALUATION: EvaluationResult = {
  loss: 0.25341,
  accuracy: 0.9123,
  count: 10000,
  confusion: [],
  perClassAccuracy: PER_CLASS_ACCURACY,
  misclassified: [
    { index: 0, trueLabel: TEST.labels[0], predictedLabel: 7, confidence: 0.87 },
    { index: 4, trueLabel: TEST.labels[4], predictedLabel: 0, confidence: 0.551 },
  ],
};

const LAST_EPOCH = {
  epoch: 9,
  loss: 0.2,
  accuracy: 0.95,
  valLoss: 0.24,
  valAccuracy: 0.92,
  elapsedMs: 60_000,
};

describe('EvaluationPanel', () => {
  test('heads with the test accuracy, loss and image count', () => {
    render(<EvaluationPanel evaluation={EVALUATION} lastEpoch={LAST_EPOCH} test={TEST} />);
    const panel = screen.getByRole('region', { name: 'Evaluation' });
    expect(within(panel).getByText('Test accuracy: 91.23%').tagName).toBe('STRONG');
    expect(panel.querySelector('.headline')?.textContent).toBe(
      'Test accuracy: 91.23% · test loss 0.2534 on 10,000 images',
    );
  });

  test('says when the run was stopped early', () => {
    render(<EvaluationPanel evaluation={EVALUATION} end="stopped" />);
    expect(screen.getByText(/· run stopped early$/)).toBeTruthy();
  });

  test('sums up training, validation and test accuracy', () => {
    const { rerender } = render(<EvaluationPanel evaluation={EVALUATION} lastEpoch={LAST_EPOCH} />);
    const cells = () =>
      within(screen.getByRole('table', { name: 'Accuracy summary' }))
        .getAllByRole('cell')
        .map((cell) => cell.textContent);
    expect(cells()).toEqual(['95.00%', '92.00%', '91.23%']);
    // A loaded model has no epochs of its own.
    rerender(<EvaluationPanel evaluation={EVALUATION} />);
    expect(cells()).toEqual(['–', '–', '91.23%']);
  });

  test('lists the accuracy of each of the ten classes under a header row', () => {
    render(<EvaluationPanel evaluation={EVALUATION} />);
    const table = screen.getByRole('table', { name: 'Per-class accuracy' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(11);
    expect(rows.slice(1).map((row) => within(row).getByRole('rowheader').textContent)).toEqual([
      ...CLASS_NAMES,
    ]);
    expect(
      within(table)
        .getAllByRole('cell')
        .map((cell) => cell.textContent),
    ).toEqual([
      '85.4%',
      '97.7%',
      '86.1%',
      '91.2%',
      '84.3%',
      '97.5%',
      '70.1%',
      '95.2%',
      '98.0%',
      '96.0%',
    ]);
  });

  test('shows the test images it got wrong, named by their true and predicted class', () => {
    render(<EvaluationPanel evaluation={EVALUATION} test={TEST} />);
    const list = screen.getByRole('list', { name: 'Misclassified test images' });
    const images = within(list).getAllByRole('img');
    expect(images.map((image) => image.getAttribute('aria-label'))).toEqual([
      'Test image 1: Ankle boot taken for Sneaker (87%)',
      'Test image 5: Shirt taken for T-shirt/top (55%)',
    ]);
    expect(
      within(list)
        .getAllByRole('listitem')
        .map((item) => item.textContent),
    ).toEqual(['Ankle boot → Sneaker', 'Shirt → T-shirt/top']);
  });

  test('without the test images, or without mistakes, there is no such list', () => {
    const { rerender } = render(<EvaluationPanel evaluation={EVALUATION} />);
    expect(screen.queryByRole('list', { name: 'Misclassified test images' })).toBeNull();
    rerender(<EvaluationPanel evaluation={{ ...EVALUATION, misclassified: [] }} test={TEST} />);
    expect(screen.queryByRole('list', { name: 'Misclassified test images' })).toBeNull();
  });

  test('draws the confusion matrix once its chart code has loaded', async () => {
    render(<EvaluationPanel evaluation={EVALUATION} />);
    expect(await screen.findByRole('figure', { name: 'Confusion matrix stand-in' })).toBeTruthy();
  });
});
