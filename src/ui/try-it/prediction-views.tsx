/** What Try it shows of one question to the model: the input it saw and its best guesses. */
import { CLASS_NAMES } from '../../config/dataset';
import { ImageCanvas } from '../dataset/image-canvas';
import { formatPercent } from '../format';
import { topClasses } from './image-to-input';

/** How many classes the result lists. */
const TOP_CLASS_COUNT = 3;

/** The 28 × 28 image the model was given, enlarged, with what it is. */
export function ModelInputFigure({
  image,
  description,
}: {
  image: Uint8Array;
  description: string;
}) {
  return (
    <figure>
      <ImageCanvas
        images={image}
        index={0}
        scale={4}
        label={`Model input, 28 × 28: ${description}`}
      />
      <figcaption className="muted small">Model input: {description}</figcaption>
    </figure>
  );
}

/** The most probable classes, most probable first. `probabilities`: float32 [10]. */
export function TopClassesList({ probabilities }: { probabilities: Float32Array }) {
  return (
    <ol aria-label={`Top ${TOP_CLASS_COUNT} classes`}>
      {topClasses(probabilities, TOP_CLASS_COUNT).map(({ label, probability }) => (
        <li key={label}>
          {CLASS_NAMES[label]} — {formatPercent(probability, 1)}
        </li>
      ))}
    </ol>
  );
}
