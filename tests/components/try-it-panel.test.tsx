/**
 * Try it: asking the current model about a real test image, what the panel shows of the
 * answer, and that nothing works without a model.
 */
import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test, vi } from 'vitest';
import { PIXELS_PER_IMAGE } from '../../src/config/dataset';
import type { SerializedModel } from '../../src/training/run-types';
import { DEFAULT_TRAINING_PARAMS } from '../../src/training/training-params';
import { fromTraining, type CurrentModel } from '../../src/ui/models/current-model';
import { TryItPanel } from '../../src/ui/try-it/try-it-panel';
import { realLoadedSplit } from './real-splits';

/** Real test images 1–20; image 3 is a trouser, image 20 a T-shirt/top. */
const TEST = realLoadedSplit('test', 20);

const MODEL: SerializedModel = {
  modelTopology: {},
  weightSpecs: [],
  weightData: new ArrayBuffer(8),
};

const trainedModel = (name: string): CurrentModel =>
  fromTraining(MODEL, name, {
    params: DEFAULT_TRAINING_PARAMS,
    epochsCompleted: 1,
    trainingAccuracy: null,
    validationAccuracy: null,
    testAccuracy: null,
  });

/** float32 [10]: most on Trouser, then Dress, then Pullover. */
const TROUSER_ANSWER = Float32Array.of(0.01, 0.7, 0.05, 0.2, 0.01, 0.01, 0.01, 0.005, 0.005, 0);
/** float32 [10]: most on T-shirt/top, then Shirt, then Pullover. */
const SHIRT_ANSWER = Float32Array.of(0.6, 0, 0.1, 0.02, 0.02, 0, 0.25, 0, 0.01, 0);

/** A promise settled by the test, to hold an answer back. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function renderPanel(predict: (images: Uint8Array) => Promise<Float32Array>) {
  const current = trainedModel('my model');
  const view = render(
    <TryItPanel current={current} predict={predict} test={TEST} sectionNumber={5} />,
  );
  return { current, view, user: userEvent.setup() };
}

const panel = () => screen.getByRole('region', { name: 'Try it' });
/** The guesses shown, in order; undefined while there are none. */
function topThree(): string[] | undefined {
  const list = within(panel()).queryByRole('list', { name: 'Top 3 classes' });
  return list
    ? within(list)
        .getAllByRole('listitem')
        .map((item) => item.textContent)
    : undefined;
}

async function showTestImage(user: ReturnType<typeof userEvent.setup>, number: string) {
  await user.clear(screen.getByLabelText('Test image'));
  await user.type(screen.getByLabelText('Test image'), number);
  await user.click(screen.getByRole('button', { name: 'Show test image' }));
}

describe('TryItPanel', () => {
  test('without a model nothing can be asked', () => {
    render(<TryItPanel current={null} predict={vi.fn()} test={TEST} sectionNumber={5} />);
    expect(within(panel()).getByText('Train or load a model first.')).toBeTruthy();
    expect(screen.getByLabelText('Drawing canvas').getAttribute('aria-disabled')).toBe('true');
    for (const control of [
      screen.getByRole('button', { name: 'Clear' }),
      screen.getByRole('button', { name: 'Show test image' }),
      screen.getByLabelText('Picture'),
      screen.getByLabelText('Test image'),
    ]) {
      expect((control as HTMLButtonElement | HTMLInputElement).disabled).toBe(true);
    }
  });

  test('without the test set there is no test image to pick', () => {
    render(<TryItPanel current={trainedModel('m')} predict={vi.fn()} sectionNumber={5} />);
    expect(screen.queryByLabelText('Test image')).toBeNull();
    expect(screen.getByLabelText<HTMLInputElement>('Picture').disabled).toBe(false);
  });

  test('a picked test image goes to the model, which shows its three best guesses', async () => {
    const predict = vi.fn(async (_images: Uint8Array) => TROUSER_ANSWER);
    const { user } = renderPanel(predict);
    expect(within(panel()).getByText(/my model guesses what it is\.$/)).toBeTruthy();
    await showTestImage(user, '3');
    expect(predict).toHaveBeenCalledTimes(1);
    expect(predict.mock.calls[0][0]).toEqual(
      TEST.images.slice(2 * PIXELS_PER_IMAGE, 3 * PIXELS_PER_IMAGE),
    );
    expect(within(panel()).getByText('Model input: test image 3 (Trouser)')).toBeTruthy();
    expect(
      within(panel()).getByRole('img', { name: 'Model input, 28 × 28: test image 3 (Trouser)' }),
    ).toBeTruthy();
    expect(topThree()).toEqual(['Trouser — 70.0%', 'Dress — 20.0%', 'Pullover — 5.0%']);
  });

  test('a number past the last test image shows the last one', async () => {
    const predict = vi.fn(async (_images: Uint8Array) => SHIRT_ANSWER);
    const { user } = renderPanel(predict);
    await showTestImage(user, '999');
    expect(screen.getByLabelText<HTMLInputElement>('Test image').value).toBe('20');
    expect(predict.mock.calls[0][0]).toEqual(TEST.images.slice(19 * PIXELS_PER_IMAGE));
    expect(within(panel()).getByText('Model input: test image 20 (T-shirt/top)')).toBeTruthy();
  });

  test('says it is predicting until the answer is in', async () => {
    const answer = deferred<Float32Array>();
    const { user } = renderPanel(() => answer.promise);
    await showTestImage(user, '1');
    expect(within(panel()).getByRole('status').textContent).toBe('Predicting…');
    expect(topThree()).toBeUndefined();
    await act(async () => answer.resolve(SHIRT_ANSWER));
    expect(within(panel()).queryByRole('status')).toBeNull();
    expect(topThree()).toEqual(['T-shirt/top — 60.0%', 'Shirt — 25.0%', 'Pullover — 10.0%']);
  });

  test('a failed prediction is an alert', async () => {
    const { user } = renderPanel(async () => {
      throw new Error('The training worker stopped.');
    });
    await showTestImage(user, '1');
    expect(within(panel()).getByRole('alert').textContent).toBe(
      'Prediction failed: The training worker stopped.',
    );
    expect(topThree()).toBeUndefined();
  });

  test('a slow answer to an older question does not replace the newer answer', async () => {
    const first = deferred<Float32Array>();
    const second = deferred<Float32Array>();
    const predict = vi.fn().mockReturnValueOnce(first.promise).mockReturnValueOnce(second.promise);
    const { user } = renderPanel(predict);
    await showTestImage(user, '3');
    await showTestImage(user, '20');
    await act(async () => second.resolve(SHIRT_ANSWER));
    await act(async () => first.resolve(TROUSER_ANSWER));
    expect(topThree()).toEqual(['T-shirt/top — 60.0%', 'Shirt — 25.0%', 'Pullover — 10.0%']);
    expect(within(panel()).getByText('Model input: test image 20 (T-shirt/top)')).toBeTruthy();
  });

  test('Clear removes the input and the answer', async () => {
    const { user } = renderPanel(async () => TROUSER_ANSWER);
    await showTestImage(user, '3');
    await user.click(screen.getByRole('button', { name: 'Clear' }));
    expect(topThree()).toBeUndefined();
    expect(within(panel()).queryByText(/^Model input:/)).toBeNull();
  });

  test('another model’s answer is not shown for the new current model', async () => {
    const { user, view } = renderPanel(async () => TROUSER_ANSWER);
    await showTestImage(user, '3');
    expect(topThree()).toHaveLength(3);
    view.rerender(
      <TryItPanel
        current={trainedModel('other model')}
        predict={vi.fn()}
        test={TEST}
        sectionNumber={5}
      />,
    );
    expect(topThree()).toBeUndefined();
  });
});
