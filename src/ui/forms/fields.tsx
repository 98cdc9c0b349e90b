/**
 * Labelled form fields, so each form lists its fields instead of repeating label/input pairs.
 * Each field owns its id; the label names the control, which is how people and tests find it.
 */
import { useId, type InputHTMLAttributes, type ReactNode } from 'react';

interface FieldProps {
  label: string;
  disabled?: boolean;
}

/** A label and the control it names: `children` receives the id the control must carry. */
function Labelled({
  label,
  labelClassName,
  children,
}: {
  label: string;
  labelClassName?: string;
  children: (id: string) => ReactNode;
}) {
  const id = useId();
  return (
    <>
      <label htmlFor={id} className={labelClassName}>
        {label}
      </label>
      {children(id)}
    </>
  );
}

/** A label and the input it names; every other prop goes to the input. */
export function LabelledInput({
  label,
  labelClassName,
  ...input
}: {
  label: string;
  labelClassName?: string;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'id'>) {
  return (
    <Labelled label={label} labelClassName={labelClassName}>
      {(id) => <input id={id} {...input} />}
    </Labelled>
  );
}

/**
 * A number input kept as text while typed (an empty or half-typed value is not a number).
 * `children` follow the input in its box, e.g. a button that acts on the value.
 */
export function NumberField({
  onChange,
  step = 1,
  children,
  ...input
}: FieldProps & {
  value: string;
  onChange: (value: string) => void;
  min?: number;
  max?: number;
  /** 1 for whole numbers, 'any' for real ones. */
  step?: number | 'any';
  placeholder?: string;
  children?: ReactNode;
}) {
  return (
    <div className="field">
      <LabelledInput
        type="number"
        step={step}
        {...input}
        onChange={(event) => onChange(event.target.value)}
      />
      {children}
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
  return (
    <div className="field">
      <Labelled label={label}>
        {(id) => (
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
        )}
      </Labelled>
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
