import { useId, useState, type FormEvent } from 'react';
import { ARCHITECTURES, isArchitectureId } from '../../model/architecture-catalog';
import {
  DEFAULT_TRAINING_PARAMS,
  OPTIMIZER_LABELS,
  type BackendPreference,
  type OptimizerId,
  type TrainingParams,
} from '../../training/training-protocol';
import { formatCount } from '../format';

import type { TrainingStatus } from './training-state';

const OPTIMIZERS = (Object.keys(OPTIMIZER_LABELS) as OptimizerId[]).map((id) => ({
  id,
  label: OPTIMIZER_LABELS[id],
}));

const BACKENDS: { id: BackendPreference; label: string }[] = [
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
  /** `continueCurrent`: train the current model further instead of a fresh one. */
  onTrain: (params: TrainingParams, continueCurrent: boolean) => void;
  /** Name of a current model that can be trained further, if any. */
  continuableModelName?: string;
  onPause: () => void;
  onResume: () => void;
  onStop: () => void;
}

/** Parses a number input; NaN when the field is empty or not a number. */
const readNumber = (value: string): number => (value.trim() === '' ? NaN : Number(value));

export function TrainingControls(props: TrainingControlsProps) {
  const id = useId();
  const [architectureId, setArchitectureId] = useState(DEFAULT_TRAINING_PARAMS.architectureId);
  const [epochs, setEpochs] = useState(String(DEFAULT_TRAINING_PARAMS.epochs));
  const [batchSize, setBatchSize] = useState(String(DEFAULT_TRAINING_PARAMS.batchSize));
  const [learningRate, setLearningRate] = useState(String(DEFAULT_TRAINING_PARAMS.learningRate));
  const [optimizer, setOptimizer] = useState<OptimizerId>(DEFAULT_TRAINING_PARAMS.optimizer);
  const [validationPercent, setValidationPercent] = useState(
    String(DEFAULT_TRAINING_PARAMS.validationFraction * 100),
  );
  const [seed, setSeed] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const [isContinuing, setIsContinuing] = useState(false);

  const isActive = ['starting', 'running', 'paused', 'stopping', 'evaluating'].includes(
    props.status,
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const params: TrainingParams = {
      architectureId,
      epochs: readNumber(epochs),
      batchSize: readNumber(batchSize),
      learningRate: readNumber(learningRate),
      optimizer,
      validationFraction: readNumber(validationPercent) / 100,
      ...(seed.trim() === '' ? {} : { seed: readNumber(seed) }),
    };
    const problems: string[] = [];
    if (!Number.isInteger(params.epochs) || params.epochs < 1 || params.epochs > 1000)
      problems.push('Epochs must be a whole number from 1 to 1000.');
    if (!Number.isInteger(params.batchSize) || params.batchSize < 1 || params.batchSize > 4096)
      problems.push('Batch size must be a whole number from 1 to 4096.');
    if (!(params.learningRate > 0 && params.learningRate <= 10))
      problems.push('Learning rate must be a number above 0 and at most 10.');
    if (!(params.validationFraction >= 0 && params.validationFraction < 0.9))
      problems.push('Validation must be from 0 % to under 90 % of the training file.');
    if (params.seed !== undefined && !Number.isInteger(params.seed))
      problems.push('Seed must be a whole number, or empty for a random run.');
    setFormError(problems.length > 0 ? problems.join(' ') : null);
    if (problems.length === 0)
      props.onTrain(params, Boolean(props.continuableModelName) && isContinuing);
  };

  return (
    <form className="training-controls" onSubmit={submit} aria-label="Training settings">
      <div className="field">
        <label htmlFor={`${id}-arch`}>Architecture</label>
        <select
          id={`${id}-arch`}
          value={architectureId}
          disabled={isActive}
          onChange={(e) => {
            if (isArchitectureId(e.target.value)) setArchitectureId(e.target.value);
          }}
        >
          {ARCHITECTURES.map((a) => (
            <option key={a.id} value={a.id}>
              {a.label} ({formatCount(a.totalParams)} params)
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-epochs`}>Epochs</label>
        <input
          id={`${id}-epochs`}
          type="number"
          min={1}
          max={1000}
          step={1}
          value={epochs}
          disabled={isActive}
          onChange={(e) => setEpochs(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-batch`}>Batch size</label>
        <input
          id={`${id}-batch`}
          type="number"
          min={1}
          max={4096}
          step={1}
          value={batchSize}
          disabled={isActive}
          onChange={(e) => setBatchSize(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-lr`}>Learning rate</label>
        <input
          id={`${id}-lr`}
          type="number"
          min={0}
          step="any"
          value={learningRate}
          disabled={isActive}
          onChange={(e) => setLearningRate(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-opt`}>Optimizer</label>
        <select
          id={`${id}-opt`}
          value={optimizer}
          disabled={isActive}
          onChange={(e) => setOptimizer(e.target.value as OptimizerId)}
        >
          {OPTIMIZERS.map((o) => (
            <option key={o.id} value={o.id}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-val`}>Validation (% of training file)</label>
        <input
          id={`${id}-val`}
          type="number"
          min={0}
          max={89}
          step="any"
          value={validationPercent}
          disabled={isActive}
          onChange={(e) => setValidationPercent(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-seed`}>Seed</label>
        <input
          id={`${id}-seed`}
          type="number"
          step={1}
          placeholder="random"
          value={seed}
          disabled={isActive}
          onChange={(e) => setSeed(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-backend`}>Backend</label>
        <select
          id={`${id}-backend`}
          value={props.backend}
          disabled={isActive}
          onChange={(e) =>
            props.onBackendChange(e.target.value as BackendPreference, props.allowSoftwareWebgl)
          }
        >
          {BACKENDS.map((b) => (
            <option key={b.id} value={b.id}>
              {b.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field field--checkbox">
        <label>
          <input
            type="checkbox"
            checked={props.allowSoftwareWebgl}
            disabled={isActive}
            onChange={(e) => props.onBackendChange(props.backend, e.target.checked)}
          />{' '}
          Allow software WebGL (slow)
        </label>
      </div>

      {props.continuableModelName && (
        <div className="field field--checkbox">
          <label>
            <input
              type="checkbox"
              checked={isContinuing}
              disabled={isActive}
              onChange={(e) => setIsContinuing(e.target.checked)}
            />{' '}
            Continue training {props.continuableModelName} (its architecture is used)
          </label>
        </div>
      )}
      <div className="buttons">
        <button type="submit" disabled={isActive || !props.canTrain}>
          Train
        </button>
        <button type="button" onClick={props.onPause} disabled={props.status !== 'running'}>
          Pause
        </button>
        <button type="button" onClick={props.onResume} disabled={props.status !== 'paused'}>
          Resume
        </button>
        <button
          type="button"
          onClick={props.onStop}
          disabled={props.status !== 'running' && props.status !== 'paused'}
        >
          Stop
        </button>
        {!props.canTrain && props.missingData && <span className="muted">{props.missingData}</span>}
      </div>
      {formError && (
        <p role="alert" className="alert">
          {formError}
        </p>
      )}
    </form>
  );
}
