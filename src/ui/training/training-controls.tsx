/**
 * The training form (recipe, architecture, epochs, batch size, learning rate, optimizer,
 * validation share, seed, the recipe's advanced options, backend) and the run buttons: Train,
 * Pause, Continue, Stop.
 */
import { useReducer, useState, type FormEvent } from 'react';
import { ARCHITECTURES } from '../../model/architecture-catalog';
import type { BackendPreference } from '../../training/run-types';
import {
  OPTIMIZERS,
  TRAINING_PARAM_BOUNDS,
  type TrainingParams,
} from '../../training/training-params';
import { formatCount } from '../format';
import { CheckboxField, NumberField, SelectField } from '../forms/fields';
import {
  INITIAL_TRAINING_FORM,
  readTrainingForm,
  trainingFormReducer,
  type TrainingFormAction,
  type TrainingFormState,
} from './training-form-state';
import { AdvancedRecipeFields, RecipeSelect } from './recipe-fields';
import { isRunActive, type TrainingStatus } from './training-state';

const ARCHITECTURE_OPTIONS = ARCHITECTURES.map((a) => ({
  id: a.id,
  label: `${a.label} (${formatCount(a.totalParams)} params)`,
}));

const BACKENDS: readonly { id: BackendPreference; label: string }[] = [
  { id: 'auto', label: 'Automatic (WebGL if hardware, else WASM)' },
  { id: 'webgl', label: 'WebGL' },
  { id: 'wasm', label: 'WASM (CPU, SIMD)' },
  { id: 'cpu', label: 'Plain JavaScript CPU' },
];

export interface TrainingControlsProps {
  status: TrainingStatus;
  canTrain: boolean;
  /** Why training cannot start (no data yet), shown next to the button. */
  missingData?: string;
  backend: BackendPreference;
  allowSoftwareWebgl: boolean;
  onBackendChange: (backend: BackendPreference, allowSoftwareWebgl: boolean) => void;
  /** `isTrainingFurther`: train the current model further instead of a fresh one. */
  onTrain: (params: TrainingParams, isTrainingFurther: boolean) => void;
  /** Name of a current model that can be trained further, if any. */
  trainableModelName?: string;
  onPause: () => void;
  /** Lets a paused run go on. */
  onUnpause: () => void;
  onStop: () => void;
  /** With it, "Run the six architectures" trains each architecture with these settings. */
  onRunExperiment?: (params: TrainingParams) => void;
}

export function TrainingControls(props: TrainingControlsProps) {
  const [form, dispatch] = useReducer(trainingFormReducer, INITIAL_TRAINING_FORM);
  const [problems, setProblems] = useState<string[]>([]);
  const isActive = isRunActive(props.status);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const read = readTrainingForm(form);
    setProblems(read.problems);
    if (read.params) {
      props.onTrain(read.params, Boolean(props.trainableModelName) && form.isTrainingFurther);
    }
  };
  const runExperiment = () => {
    const read = readTrainingForm(form);
    setProblems(read.problems);
    if (read.params) props.onRunExperiment?.(read.params);
  };

  return (
    <form className="training-controls" onSubmit={submit} aria-label="Training settings">
      <RecipeSelect form={form} dispatch={dispatch} disabled={isActive} />
      <TrainingFields form={form} dispatch={dispatch} disabled={isActive} />
      <AdvancedRecipeFields form={form} dispatch={dispatch} disabled={isActive} />
      <BackendFields {...props} disabled={isActive} />
      {props.trainableModelName && (
        <CheckboxField
          checked={form.isTrainingFurther}
          disabled={isActive}
          onChange={(isOn) => dispatch({ type: 'train-further', isOn })}
        >
          Train {props.trainableModelName} further (its architecture is used)
        </CheckboxField>
      )}
      <RunButtons {...props} onRunExperiment={props.onRunExperiment && runExperiment} />
      {problems.length > 0 && (
        <p role="alert" className="alert">
          {problems.join(' ')}
        </p>
      )}
    </form>
  );
}

function TrainingFields({
  form,
  dispatch,
  disabled,
}: {
  form: TrainingFormState;
  dispatch: (action: TrainingFormAction) => void;
  disabled: boolean;
}) {
  const { epochs, batchSize, learningRate, validationFraction, seed } = TRAINING_PARAM_BOUNDS;
  const text = (field: Extract<TrainingFormAction, { type: 'text' }>['field']) => ({
    value: form[field],
    disabled,
    onChange: (value: string) => dispatch({ type: 'text', field, value }),
  });
  return (
    <>
      <SelectField
        label="Architecture"
        value={form.architectureId}
        options={ARCHITECTURE_OPTIONS}
        disabled={disabled}
        onChange={(id) => dispatch({ type: 'architecture', id })}
      />
      <NumberField label="Epochs" {...text('epochs')} min={epochs.min} max={epochs.max} />
      <NumberField label="Batch size" {...text('batchSize')} {...batchSize} />
      <NumberField
        label="Learning rate"
        {...text('learningRate')}
        min={0}
        max={learningRate.max}
        step="any"
      />
      <SelectField
        label="Optimizer"
        value={form.optimizer}
        options={OPTIMIZERS}
        disabled={disabled}
        onChange={(id) => dispatch({ type: 'optimizer', id })}
      />
      <NumberField
        label="Validation (% of training file)"
        {...text('validationPercent')}
        min={0}
        max={validationFraction.below * 100}
        step="any"
      />
      <NumberField label="Seed" {...text('seed')} {...seed} placeholder="random" />
    </>
  );
}

function BackendFields(props: TrainingControlsProps & { disabled: boolean }) {
  return (
    <>
      <SelectField
        label="Backend"
        value={props.backend}
        options={BACKENDS}
        disabled={props.disabled}
        onChange={(preference) => props.onBackendChange(preference, props.allowSoftwareWebgl)}
      />
      <CheckboxField
        checked={props.allowSoftwareWebgl}
        disabled={props.disabled}
        onChange={(isAllowed) => props.onBackendChange(props.backend, isAllowed)}
      >
        Allow software WebGL (slow)
      </CheckboxField>
    </>
  );
}

function RunButtons(
  props: Omit<TrainingControlsProps, 'onRunExperiment'> & { onRunExperiment?: () => void },
) {
  const { status } = props;
  return (
    <div className="buttons">
      <button type="submit" disabled={isRunActive(status) || !props.canTrain}>
        Train
      </button>
      <button type="button" onClick={props.onPause} disabled={status !== 'running'}>
        Pause
      </button>
      <button type="button" onClick={props.onUnpause} disabled={status !== 'paused'}>
        Continue
      </button>
      <button
        type="button"
        onClick={props.onStop}
        disabled={status !== 'running' && status !== 'paused'}
      >
        Stop
      </button>
      <button
        type="button"
        onClick={props.onRunExperiment}
        disabled={isRunActive(status) || !props.canTrain || !props.onRunExperiment}
      >
        Run the six architectures
      </button>
      {!props.canTrain && props.missingData && <span className="muted">{props.missingData}</span>}
    </div>
  );
}
