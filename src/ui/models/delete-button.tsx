import { useState } from 'react';

/** `Delete`, which asks once more before it deletes: a saved model cannot be brought back. */
export function DeleteButton({
  name,
  disabled,
  onDelete,
  label,
}: {
  /** What is deleted, as the question names it. */
  name: string;
  disabled: boolean;
  onDelete: () => void;
  /** Accessible name when several Delete buttons share a list or table (`Delete run 3`). */
  label?: string;
}) {
  const [isConfirming, setIsConfirming] = useState(false);
  if (!isConfirming) {
    return (
      <button
        type="button"
        disabled={disabled}
        aria-label={label}
        onClick={() => setIsConfirming(true)}
      >
        Delete
      </button>
    );
  }
  return (
    <span role="group" aria-label={`Confirm deleting ${name}`}>
      Delete “{name}” for good?{' '}
      <button
        type="button"
        onClick={() => {
          setIsConfirming(false);
          onDelete();
        }}
      >
        Yes, delete
      </button>{' '}
      <button type="button" onClick={() => setIsConfirming(false)}>
        Cancel
      </button>
    </span>
  );
}
