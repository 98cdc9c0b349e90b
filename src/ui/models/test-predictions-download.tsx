import { useRef, useState } from 'react';
import { saveFile } from '../save-file';
import { formatCount } from '../format';
import type { CurrentModel } from './current-model';
import { createPredictionsCsv } from './predictions-csv';
import { errorMessage } from '../../shared/errors';

export interface TestPredictionsDownloadProps {
  current: CurrentModel | null;
  /** File base name, as typed in `Model name`; made safe for file systems before use. */
  baseName: string;
  /** uint8 [n × 784] light-on-dark images → float32 [n × 10]; the path Try it uses. */
  predict?: (images: Uint8Array) => Promise<Float32Array>;
  test?: { images: Uint8Array; labels: Uint8Array; count: number };
}

/**
 * `Download test predictions`: the current model's class probabilities for every loaded test
 * image, as CSV. They come from the same worker prediction as Try it, so the file shows what
 * the page computes, and another tool (tfjs in Node, Keras) can be checked against it.
 */
export function TestPredictionsDownload({
  current,
  baseName,
  predict,
  test,
}: TestPredictionsDownloadProps) {
  const [isPredicting, setIsPredicting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** Increases with every click, so a slow answer cannot report over a newer request. */
  const requestRef = useRef(0);
  const testCount = test?.count ?? 0;
  const canPredict = Boolean(current && predict && test && testCount > 0);

  const onClick = async () => {
    if (!current || !predict || !test) return;
    const request = ++requestRef.current;
    setIsPredicting(true);
    setError(null);
    try {
      const [probabilities, { sanitizeFileBaseName }] = await Promise.all([
        predict(test.images),
        import('../../storage/model-download-files'),
      ]);
      const csv = createPredictionsCsv({ labels: test.labels, probabilities });
      saveFile(
        `${sanitizeFileBaseName(baseName.trim() || current.name)}.test-predictions.csv`,
        new Blob([csv], { type: 'text/csv' }),
      );
    } catch (cause) {
      if (request === requestRef.current) {
        setError(`Could not compute the test predictions: ${errorMessage(cause)}`);
      }
    } finally {
      if (request === requestRef.current) setIsPredicting(false);
    }
  };

  return (
    <>
      <button type="button" disabled={!canPredict || isPredicting} onClick={() => void onClick()}>
        Download test predictions
      </button>
      {isPredicting && (
        <span role="status" className="muted small">
          Predicting {formatCount(testCount)} test images…
        </span>
      )}
      {current && !(test && testCount > 0) && (
        <span className="muted small">Load the test set for test predictions.</span>
      )}
      {error && (
        <p role="alert" className="alert">
          {error}
        </p>
      )}
    </>
  );
}
