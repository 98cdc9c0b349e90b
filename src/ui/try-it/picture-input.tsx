import { errorMessage } from '../../shared/errors';
import { FileInput } from '../forms/file-input';
import { pictureToInput } from './canvas-to-input';

/** `Picture`: a PNG or JPEG, scaled to 28 × 28 grayscale as the model sees it. */
export function PictureInput({
  disabled,
  onPicture,
  onError,
}: {
  disabled: boolean;
  /** The picture as uint8 [784] light-on-dark, and its file name. */
  onPicture: (image: Uint8Array, fileName: string) => void;
  onError: (message: string) => void;
}) {
  const read = async (file: File) => {
    let image: Uint8Array;
    try {
      image = await pictureToInput(file);
    } catch (cause) {
      onError(`Could not read ${file.name} as a PNG or JPEG picture: ${errorMessage(cause)}`);
      return;
    }
    onPicture(image, file.name);
  };

  return (
    <div className="field">
      <FileInput
        label="Picture"
        accept="image/png,image/jpeg"
        disabled={disabled}
        onFiles={([file]) => {
          if (file) void read(file);
        }}
      />
    </div>
  );
}
