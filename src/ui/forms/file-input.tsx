import { LabelledInput } from './fields';

/**
 * A labelled file input that hands over the chosen files and then forgets them, so choosing
 * the same file again still fires a change (a corrected file often keeps its name).
 */
export function FileInput({
  label,
  accept,
  onFiles,
  isMultiple = false,
  disabled,
  labelClassName,
}: {
  label: string;
  /** The `accept` attribute: extensions and MIME types. */
  accept: string;
  /** Every change, also an empty choice; callers decide what an empty one means. */
  onFiles: (files: File[]) => void;
  isMultiple?: boolean;
  disabled?: boolean;
  labelClassName?: string;
}) {
  return (
    <LabelledInput
      label={label}
      labelClassName={labelClassName}
      type="file"
      multiple={isMultiple}
      accept={accept}
      disabled={disabled}
      onChange={(event) => {
        const files = Array.from(event.currentTarget.files ?? []);
        event.currentTarget.value = '';
        onFiles(files);
      }}
    />
  );
}
