/**
 * Labelled form fields, so each form lists its fields instead of repeating label/input pairs.
 * Each field owns its id; the label names the control, which is how people and tests find it.
 */
import { useId, type ReactNode } from 'react';

interface FieldProps {
  label: string;
  disabled?: boolean;
}

/** A number input kept as text while typed (an empty or half-typed value is not a number). */
export function NumberField({
  label,
  value,
  onChange,
  min,
  max,
  step = 1,
  placeholder,
  disabled,
}: FieldProps & {
  value: string;
  onChange: (value: string) => void;
  min?: number;
  max?: number;
  /** 1 for whole numbers, 'any' for real ones. */
  step?: number | 'any';
  placeholder?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        min={min}
        max={max}
        step={step}
        placeholder={placeholder}
        value={value}
        disabled={disabled}
        onChange={(event) => onChange(event.target.value)}
      />
    </div>
  );
}

/** A select over `options`; `onChange` receives only values that are among them. */
export function SelectField<T extends string>({
  label,
  value,
  options,
  onChange,
  disabled,
}: FieldProps & {
  value: T;
  options: readonly { id: T; label: string }[];
  onChange: (value: T) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        disabled={disabled}
        onChange={(event) => {
          const chosen = options.find((option) => option.id === event.target.value);
          if (chosen) onChange(chosen.id);
        }}
      >
        {options.map((option) => (
          <option key={option.id} value={option.id}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A checkbox with its text as the label. */
export function CheckboxField({
  checked,
  onChange,
  disabled,
  children,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
  children: ReactNode;
}) {
  return (
    <div className="field field--checkbox">
      <label>
        <input
          type="checkbox"
          checked={checked}
          disabled={disabled}
          onChange={(event) => onChange(event.target.checked)}
        />{' '}
        {children}
      </label>
    </div>
  );
}
