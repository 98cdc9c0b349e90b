import type { CurrentModel } from '../models/current-model';
import { AlertList, StatusLine } from '../feedback/messages';
import { DrawingPad } from './drawing-pad';
import { PictureInput } from './picture-input';
import { ModelInputFigure, TopClassesList } from './prediction-views';
import { TestImagePicker } from './test-image-picker';
import { usePrediction } from './use-prediction';

/**
 * Draw, upload or pick a test image and see the current model's three best guesses.
 * `predict` takes uint8 [n × 784] light-on-dark images and answers float32 [n × 10].
 */
export function TryItPanel({
  current,
  predict,
  test,
  sectionNumber,
}: {
  current: CurrentModel | null;
  predict: (images: Uint8Array) => Promise<Float32Array>;
  test?: { images: Uint8Array; labels: Uint8Array; count: number };
  /** The section's number on the page (it follows Results only when Results is shown). */
  sectionNumber: number;
}) {
  const prediction = usePrediction(current, predict);
  const isDisabled = current === null;

  return (
    <section className="panel" aria-label="Try it">
      <h2>{sectionNumber} · Try it</h2>
      {isDisabled ? (
        <p className="muted">Train or load a model first.</p>
      ) : (
        <p className="muted">
          Draw a garment, upload a picture, or pick a test image; {current.name} guesses what it is.
        </p>
      )}
      <div className="try-it">
        <DrawingPad
          disabled={isDisabled}
          onDrawing={(image) => prediction.ask(image, 'your drawing')}
          onClear={prediction.clear}
        />
        <div className="try-it-inputs">
          <PictureInput
            disabled={isDisabled}
            onPicture={prediction.ask}
            onError={prediction.failInput}
          />
          {test && test.count > 0 && (
            <TestImagePicker test={test} disabled={isDisabled} onPick={prediction.ask} />
          )}
          {prediction.input && (
            <ModelInputFigure
              image={prediction.input.image}
              description={prediction.input.description}
            />
          )}
          {prediction.isPredicting && <StatusLine>Predicting…</StatusLine>}
          {prediction.probabilities && <TopClassesList probabilities={prediction.probabilities} />}
          <AlertList messages={[prediction.error]} />
        </div>
      </div>
    </section>
  );
}
