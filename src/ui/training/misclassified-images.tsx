import { CLASS_NAMES } from '../../config/dataset';
import type { MisclassifiedExample } from '../../training/run-types';
import { ImageCanvas } from '../dataset/image-canvas';
import { formatPercent } from '../format';

/** The test images the model got wrong, each captioned true class → predicted class. */
export function MisclassifiedImages({
  misclassified,
  testImages,
}: {
  misclassified: MisclassifiedExample[];
  /** uint8 [n × 784], the test split the examples index into. */
  testImages: Uint8Array;
}) {
  return (
    <>
      <h3>Test images it got wrong</h3>
      <ul className="image-grid" aria-label="Misclassified test images">
        {misclassified.map((m) => {
          const text = `${CLASS_NAMES[m.trueLabel]} taken for ${CLASS_NAMES[m.predictedLabel]} (${formatPercent(m.confidence, 0)})`;
          return (
            <li key={m.index}>
              <ImageCanvas
                images={testImages}
                index={m.index}
                label={`Test image ${m.index + 1}: ${text}`}
              />
              <span className="caption">
                {CLASS_NAMES[m.trueLabel]} → <em>{CLASS_NAMES[m.predictedLabel]}</em>
              </span>
            </li>
          );
        })}
      </ul>
    </>
  );
}
