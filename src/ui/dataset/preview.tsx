import { useMemo } from 'react';
import { CLASS_NAMES, NUM_CLASSES, type SplitName } from '../../config/dataset';
import type { LoadedSplit } from '../../data/ingest-types';
import { formatCount, formatPercent } from '../format';
import { ImageCanvas } from './image-canvas';

/** How many training images the preview grid shows. */
export const PREVIEW_IMAGE_COUNT = 48;

/** Count of each label 0–9 in a split. */
function countClasses(labels: Uint8Array): number[] {
  const counts = new Array<number>(NUM_CLASSES).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

function ClassHistogram({ split, loaded }: { split: SplitName; loaded: LoadedSplit }) {
  const counts = useMemo(() => countClasses(loaded.labels), [loaded.labels]);
  const max = Math.max(1, ...counts);
  const title = split === 'train' ? 'Training set classes' : 'Test set classes';
  return (
    <figure className="histogram">
      <figcaption>{title}</figcaption>
      <table aria-label={title}>
        <tbody>
          {counts.map((count, label) => (
            <tr key={label}>
              <th scope="row">{CLASS_NAMES[label]}</th>
              <td className="histogram-bar-cell">
                <span className="histogram-bar" style={{ width: `${(count / max) * 100}%` }} />
              </td>
              <td className="num">
                {formatCount(count)} ({formatPercent(count / loaded.count, 1)})
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export function DatasetPreview({ splits }: { splits: Partial<Record<SplitName, LoadedSplit>> }) {
  const train = splits.train;
  if (!train && !splits.test) return null;
  const shown = train ? Math.min(PREVIEW_IMAGE_COUNT, train.count) : 0;
  return (
    <section className="panel" aria-label="Dataset preview">
      <h2>Preview</h2>
      {train && (
        <ul className="image-grid" aria-label="Training images">
          {Array.from({ length: shown }, (_, i) => {
            const name = CLASS_NAMES[train.labels[i]];
            return (
              <li key={i}>
                <ImageCanvas
                  images={train.images}
                  index={i}
                  label={`Training image ${i + 1}: ${name}`}
                />
                <span className="caption">{name}</span>
              </li>
            );
          })}
        </ul>
      )}
      <div className="histograms">
        {train && <ClassHistogram split="train" loaded={train} />}
        {splits.test && <ClassHistogram split="test" loaded={splits.test} />}
      </div>
    </section>
  );
}
