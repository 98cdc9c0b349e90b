import { useState } from 'react';
import { CLASS_NAMES, PIXELS_PER_IMAGE } from '../../config/dataset';
import { NumberField } from '../forms/fields';

/** `Test image` by its 1-based number and `Show test image`, which hands it over. */
export function TestImagePicker({
  test,
  disabled,
  onPick,
}: {
  test: { images: Uint8Array; labels: Uint8Array; count: number };
  disabled: boolean;
  /** The image as uint8 [784], described as "test image 7 (Sneaker)". */
  onPick: (image: Uint8Array, description: string) => void;
}) {
  /** The field as typed, 1-based; parsed when the button is pressed. */
  const [testNumber, setTestNumber] = useState('1');

  const showTestImage = () => {
    const typed = Math.round(Number(testNumber));
    const index = Math.min(test.count, Math.max(1, Number.isFinite(typed) ? typed : 1)) - 1;
    setTestNumber(String(index + 1));
    const image = test.images.slice(index * PIXELS_PER_IMAGE, (index + 1) * PIXELS_PER_IMAGE);
    const trueClass = CLASS_NAMES[test.labels[index]] ?? `class ${test.labels[index]}`;
    onPick(image, `test image ${index + 1} (${trueClass})`);
  };

  return (
    <NumberField
      label="Test image"
      min={1}
      max={test.count}
      step={1}
      value={testNumber}
      disabled={disabled}
      onChange={setTestNumber}
    >
      <button type="button" onClick={showTestImage} disabled={disabled}>
        Show test image
      </button>
    </NumberField>
  );
}
