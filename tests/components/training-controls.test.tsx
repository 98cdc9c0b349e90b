/**
 * The training form as a person uses it: the seed project's defaults, what Train hands on,
 * the validator's sentences for bad values, and which run buttons each status allows.
 */
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test, vi } from 'vitest';
import {
  TrainingControls,
  type TrainingControlsProps,
} from '../../src/ui/training/training-controls';
import { getRecipePreset, SEED_RECIPE } from '../../src/training/training-params';
import type { TrainingStatus } from '../../src/ui/training/training-state';

function renderControls(overrides: Partial<TrainingControlsProps> = {}) {
  const props: TrainingControlsProps = {
    status: 'idle',
    canTrain: true,
    backend: 'auto',
    allowSoftwareWebgl: false,
    onBackendChange: vi.fn(),
    onTrain: vi.fn(),
    onPause: vi.fn(),
    onUnpause: vi.fn(),
    onStop: vi.fn(),
    ...overrides,
  };
  const view = render(<TrainingControls {...props} />);
  return { props, view, user: userEvent.setup() };
}

const field = (label: string) => screen.getByLabelText<HTMLInputElement>(label);
const select = (label: string) => screen.getByLabelText<HTMLSelectElement>(label);
const button = (name: string) => screen.getByRole<HTMLButtonElement>('button', { name });

/** Replaces what a number field holds, as a person selecting its text and typing would. */
async function retype(user: ReturnType<typeof userEvent.setup>, label: string, text: string) {
  await user.clear(field(label));
  if (text !== '') await user.type(field(label), text);
}

describe('TrainingControls', () => {
  test('shows the seed project settings by default', () => {
    renderControls();
    expect(select('Architecture').selectedOptions[0].textContent).toBe(
      '6 · Seed CNN (484,302 params)',
    );
    expect(field('Epochs').value).toBe('10');
    expect(field('Batch size').value).toBe('64');
    expect(field('Learning rate').value).toBe('0.001');
    expect(select('Optimizer').selectedOptions[0].textContent).toBe('Adam');
    expect(field('Validation (% of training file)').value).toBe('20');
    expect(field('Seed').value).toBe('');
    expect(field('Seed').placeholder).toBe('random');
  });

  test('Train hands on the defaults, validation as a fraction and no seed', async () => {
    const { props, user } = renderControls();
    await user.click(button('Train'));
    expect(props.onTrain).toHaveBeenCalledTimes(1);
    const [params, isTrainingFurther] = vi.mocked(props.onTrain).mock.calls[0];
    expect(params).toEqual({
      architectureId: 'seed-cnn',
      epochs: 10,
      batchSize: 64,
      learningRate: 0.001,
      optimizer: 'adam',
      validationFraction: 0.2,
      recipe: SEED_RECIPE,
    });
    expect(Object.keys(params)).not.toContain('seed');
    expect(isTrainingFurther).toBe(false);
  });

  test('Train hands on what was typed and chosen', async () => {
    const { props, user } = renderControls();
    await user.selectOptions(select('Architecture'), 'conv1');
    await retype(user, 'Epochs', '3');
    await retype(user, 'Batch size', '32');
    await retype(user, 'Learning rate', '0.01');
    await user.selectOptions(select('Optimizer'), 'RMSprop');
    await retype(user, 'Validation (% of training file)', '25');
    await retype(user, 'Seed', '7');
    await user.click(button('Train'));
    expect(props.onTrain).toHaveBeenCalledWith(
      {
        architectureId: 'conv1',
        epochs: 3,
        batchSize: 32,
        learningRate: 0.01,
        optimizer: 'rmsprop',
        validationFraction: 0.25,
        seed: 7,
        recipe: SEED_RECIPE,
      },
      false,
    );
  });

  test('a recipe preset fills the settings it covers; an edit makes the recipe Custom', async () => {
    const { props, user } = renderControls();
    await user.selectOptions(select('Recipe'), 'best');
    const best = getRecipePreset('best').params;
    expect(field('Epochs').value).toBe(String(best.epochs));
    expect(field('Batch size').value).toBe(String(best.batchSize));
    expect(field('Learning rate').value).toBe(String(best.learningRate));
    expect(select('Learning-rate schedule').value).toBe('one-cycle');
    expect(field('Random shift (px)').value).toBe('2');
    expect(screen.getByLabelText<HTMLInputElement>('Random horizontal flip').checked).toBe(true);
    await user.click(button('Train'));
    expect(vi.mocked(props.onTrain).mock.calls[0][0]).toMatchObject({
      epochs: best.epochs,
      batchSize: best.batchSize,
      learningRate: best.learningRate,
      recipe: best.recipe,
    });
    await retype(user, 'Label smoothing', '0.05');
    expect(select('Recipe').value).toBe('custom');
    await user.click(button('Train'));
    expect(vi.mocked(props.onTrain).mock.calls[1][0].recipe).toEqual({
      ...best.recipe,
      labelSmoothing: 0.05,
    });
  });

  test('the learning-rate preview describes the schedule over the run', async () => {
    const { user } = renderControls();
    await user.selectOptions(select('Learning-rate schedule'), 'one-cycle');
    expect(
      screen.getByRole('img', {
        name: /^Learning rate over 10 epochs: starts at 4\.0e-5, peaks at 1\.0e-3, ends at \d\.\de-7$/,
      }),
    ).toBeTruthy();
  });

  // The inputs carry the validator's bounds as min, max and step, so the browser itself refuses
  // most out-of-range numbers; what gets past it (empty fields, the exclusive bounds) reaches
  // the validator, whose sentences the alert shows.
  test('bad values show every problem in the validator’s words and train nothing', async () => {
    const { props, user } = renderControls();
    await retype(user, 'Epochs', '');
    await retype(user, 'Batch size', '');
    await retype(user, 'Learning rate', '0');
    await retype(user, 'Validation (% of training file)', '90');
    await user.click(button('Train'));
    expect(screen.getByRole('alert').textContent).toBe(
      [
        'The number of epochs must be a whole number from 0 to 1000.',
        'Batch size must be a whole number from 1 to 4096.',
        'Learning rate must be a number above 0 and at most 10.',
        'Validation must be from 0 % to under 90 % of the training file (a share from 0 to under 0.9).',
      ].join(' '),
    );
    expect(props.onTrain).not.toHaveBeenCalled();
  });

  test('numbers outside the fields’ bounds never reach onTrain', async () => {
    const { props, user } = renderControls();
    await retype(user, 'Batch size', '5000');
    await retype(user, 'Seed', '-1');
    await user.click(button('Train'));
    expect(props.onTrain).not.toHaveBeenCalled();
  });

  test('a corrected form trains and its alert goes', async () => {
    const { props, user } = renderControls();
    await retype(user, 'Learning rate', '0');
    await user.click(button('Train'));
    expect(screen.getByRole('alert').textContent).toBe(
      'Learning rate must be a number above 0 and at most 10.',
    );
    await retype(user, 'Learning rate', '0.5');
    await user.click(button('Train'));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(vi.mocked(props.onTrain).mock.calls[0][0].learningRate).toBe(0.5);
  });

  // Which of Train, Pause, Continue, Stop each status allows (true = enabled).
  test.each<[TrainingStatus, boolean, boolean, boolean, boolean]>([
    ['idle', true, false, false, false],
    ['starting', false, false, false, false],
    ['running', false, true, false, true],
    ['paused', false, false, true, true],
    ['stopping', false, false, false, false],
    ['evaluating', false, false, false, false],
    ['finished', true, false, false, false],
    ['failed', true, false, false, false],
  ])('status %s: Train %s, Pause %s, Continue %s, Stop %s', (status, ...enabled) => {
    renderControls({ status });
    const names = ['Train', 'Pause', 'Continue', 'Stop'];
    expect(names.map((name) => !button(name).disabled)).toEqual(enabled);
  });

  test('while a run is active the settings cannot change', () => {
    renderControls({ status: 'running' });
    for (const label of ['Architecture', 'Epochs', 'Seed', 'Backend']) {
      expect(screen.getByLabelText<HTMLInputElement>(label).disabled).toBe(true);
    }
  });

  test('the run buttons call their handlers', async () => {
    const running = renderControls({ status: 'running' });
    await running.user.click(button('Pause'));
    await running.user.click(button('Stop'));
    expect(running.props.onPause).toHaveBeenCalledTimes(1);
    expect(running.props.onStop).toHaveBeenCalledTimes(1);
    running.view.unmount();

    const paused = renderControls({ status: 'paused' });
    await paused.user.click(button('Continue'));
    expect(paused.props.onUnpause).toHaveBeenCalledTimes(1);
  });

  test('without data Train is off and says what to load', () => {
    renderControls({ canTrain: false, missingData: 'Load the training set first.' });
    expect(button('Train').disabled).toBe(true);
    expect(screen.getByText('Load the training set first.')).toBeTruthy();
  });

  test('backend choices go to onBackendChange with the other setting kept', async () => {
    const { props, user } = renderControls({ backend: 'wasm', allowSoftwareWebgl: true });
    await user.selectOptions(select('Backend'), 'WebGL');
    expect(props.onBackendChange).toHaveBeenLastCalledWith('webgl', true);
    await user.click(screen.getByRole('checkbox', { name: 'Allow software WebGL (slow)' }));
    expect(props.onBackendChange).toHaveBeenLastCalledWith('wasm', false);
  });
});

describe('TrainingControls: training a model further', () => {
  const further = (name: string) =>
    screen.queryByRole('checkbox', { name: `Train ${name} further (its architecture is used)` });

  test('is offered only when there is a model to train further', () => {
    const { view, props } = renderControls();
    expect(screen.queryByRole('checkbox', { name: /further/ })).toBeNull();
    view.rerender(<TrainingControls {...props} trainableModelName="seed-cnn 2026-11-29 10:00" />);
    expect(further('seed-cnn 2026-11-29 10:00')).not.toBeNull();
  });

  test('ticked, Train says so in its second argument', async () => {
    const { props, user } = renderControls({ trainableModelName: 'my model' });
    await user.click(button('Train'));
    await user.click(further('my model')!);
    await user.click(button('Train'));
    expect(vi.mocked(props.onTrain).mock.calls.map((call) => call[1])).toEqual([false, true]);
  });

  test('a tick left over from a model that is gone does not count', async () => {
    const { props, user, view } = renderControls({ trainableModelName: 'my model' });
    await user.click(further('my model')!);
    view.rerender(<TrainingControls {...props} trainableModelName={undefined} />);
    await user.click(button('Train'));
    expect(vi.mocked(props.onTrain).mock.calls[0][1]).toBe(false);
  });
});
