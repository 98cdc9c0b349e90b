/**
 * The recipe part of the training form: the `Recipe` preset select, and under "Advanced" every
 * option a preset sets (learning-rate schedule with a preview of the rate over the run, label
 * smoothing, augmentation, test-time flip averaging, best weights, early stopping, weight decay).
 */
import { LR_SCHEDULES, learningRateAt } from '../../training/lr-schedule';
import { RECIPE_PRESETS, TRAINING_PARAM_BOUNDS } from '../../training/training-params';
import { CheckboxField, NumberField, SelectField } from '../forms/fields';
import type {
  RecipeChoice,
  TrainingFormAction,
  TrainingFormState,
  TrainingFormSwitch,
  TrainingFormTextField,
} from './training-form-state';

const RECIPE_OPTIONS: readonly { id: RecipeChoice; label: string }[] = [
  ...RECIPE_PRESETS.map(({ id, label }) => ({ id, label })),
  { id: 'custom', label: 'Custom (as set under Advanced)' },
];

interface FieldsProps {
  form: TrainingFormState;
  dispatch: (action: TrainingFormAction) => void;
  disabled: boolean;
}

export function RecipeSelect({ form, dispatch, disabled }: FieldsProps) {
  const preset = RECIPE_PRESETS.find((candidate) => candidate.id === form.recipe);
  return (
    <div className="recipe-select">
      <SelectField
        label="Recipe"
        value={form.recipe}
        options={RECIPE_OPTIONS}
        disabled={disabled}
        onChange={(id) => dispatch({ type: 'recipe', id })}
      />
      {preset && <p className="muted small">{preset.summary}</p>}
    </div>
  );
}

export function AdvancedRecipeFields({ form, dispatch, disabled }: FieldsProps) {
  const bounds = TRAINING_PARAM_BOUNDS;
  const text = (field: TrainingFormTextField) => ({
    value: form[field],
    disabled,
    onChange: (value: string) => dispatch({ type: 'text', field, value }),
  });
  const toggle = (field: TrainingFormSwitch) => ({
    checked: form[field],
    disabled,
    onChange: (isOn: boolean) => dispatch({ type: 'switch', field, isOn }),
  });
  return (
    <details className="advanced">
      <summary>Advanced: schedule, regularisation, augmentation</summary>
      <div className="advanced-fields">
        <SelectField
          label="Learning-rate schedule"
          value={form.lrSchedule}
          options={LR_SCHEDULES}
          disabled={disabled}
          onChange={(id) => dispatch({ type: 'lr-schedule', id })}
        />
        <LearningRatePreview form={form} />
        <NumberField
          label="Label smoothing"
          {...text('labelSmoothing')}
          {...bounds.labelSmoothing}
          step="any"
        />
        <CheckboxField {...toggle('augmentFlip')}>Random horizontal flip</CheckboxField>
        <NumberField
          label="Random shift (px)"
          {...text('augmentShiftPx')}
          {...bounds.augmentShiftPx}
        />
        <CheckboxField {...toggle('testTimeFlip')}>
          Test-time flip averaging (also report the accuracy over each image and its mirror)
        </CheckboxField>
        <CheckboxField {...toggle('keepBestWeights')}>
          Keep the weights of the best validation epoch
        </CheckboxField>
        <NumberField
          label="Early stopping patience (epochs, 0 = off)"
          {...text('earlyStoppingPatience')}
          {...bounds.earlyStoppingPatience}
        />
        <NumberField
          label="Weight decay (decoupled)"
          {...text('weightDecay')}
          {...bounds.weightDecay}
          step="any"
        />
      </div>
    </details>
  );
}

/** Points of the preview curve; the shape of every schedule is the same at any step count. */
const PREVIEW_STEPS_PER_EPOCH = 20;
const PREVIEW_WIDTH_PX = 160;
const PREVIEW_HEIGHT_PX = 40;

/** A small line of the learning rate over the whole run, as the form describes it now. */
function LearningRatePreview({ form }: { form: TrainingFormState }) {
  const epochs = Number(form.epochs);
  const peak = Number(form.learningRate);
  if (!(Number.isInteger(epochs) && epochs > 0 && peak > 0)) return null;
  const shape = {
    kind: form.lrSchedule,
    learningRate: peak,
    epochs,
    stepsPerEpoch: PREVIEW_STEPS_PER_EPOCH,
  };
  const steps = epochs * PREVIEW_STEPS_PER_EPOCH;
  const points = Array.from({ length: steps }, (_, step) => {
    const x = (step / Math.max(1, steps - 1)) * PREVIEW_WIDTH_PX;
    const y = PREVIEW_HEIGHT_PX - (learningRateAt(shape, step) / peak) * (PREVIEW_HEIGHT_PX - 2);
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  });
  const first = learningRateAt(shape, 0);
  const last = learningRateAt(shape, steps - 1);
  const rate = (value: number) => value.toExponential(1);
  const description = `Learning rate over ${epochs} epochs: starts at ${rate(first)}, peaks at ${rate(peak)}, ends at ${rate(last)}`;
  return (
    <figure className="lr-preview">
      <svg
        role="img"
        aria-label={description}
        width={PREVIEW_WIDTH_PX}
        height={PREVIEW_HEIGHT_PX}
        viewBox={`0 0 ${PREVIEW_WIDTH_PX} ${PREVIEW_HEIGHT_PX}`}
      >
        <polyline points={points.join(' ')} fill="none" stroke="currentColor" strokeWidth="1.5" />
      </svg>
      <figcaption className="muted small">{description}</figcaption>
    </figure>
  );
}
