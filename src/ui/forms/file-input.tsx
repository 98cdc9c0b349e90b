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
  isDirectory = false,
  disabled,
  labelClassName,
}: {
  label: string;
  /** The `accept` attribute: extensions and MIME types (browsers ignore it for folders). */
  accept?: string;
  /** Chooses a whole folder (`webkitdirectory`): every file in it and its subfolders. */
  isDirectory?: boolean;
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
      multiple={isMultiple || isDirectory}
      accept={accept}
      disabled={disabled}
      {...(isDirectory ? { webkitdirectory: '' } : {})}
      onChange={(event) => {
        const files = Array.from(event.currentTarget.files ?? []);
        event.currentTarget.value = '';
        onFiles(files);
      }}
    />
  );
}
