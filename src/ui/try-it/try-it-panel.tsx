import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { ChangeEvent, PointerEvent } from 'react';
import { CLASS_NAMES, PIXELS_PER_IMAGE } from '../../config/dataset';
import { ImageCanvas } from '../dataset/image-canvas';
import { formatPercent } from '../format';
import type { CurrentModel } from '../models/current-model';
import { rgbaToGrayscale28, toDatasetPolarity, topClasses } from './image-to-input';
import { errorMessage } from '../../shared/errors';

/** Drawing surface size, in canvas pixels and CSS pixels (10× the model input). */
const DRAWING_SIZE_PX = 280;
/** Stroke width on the drawing surface; about 2 px of the 28×28 input, like a garment outline. */
const STROKE_WIDTH_PX = 22;
/** Uploaded pictures are shrunk to at most this many pixels a side before area averaging. */
const MAX_UPLOAD_SIDE_PX = 560;
/** How many classes the result lists. */
const TOP_CLASS_COUNT = 3;

interface Prediction {
  modelId: string;
  /** float32 [10], one probability per class. */
  probabilities: Float32Array;
}

/** canvas → uint8 [784], the area-averaged grayscale of what is drawn on it. */
function canvasToInput(canvas: HTMLCanvasElement | OffscreenCanvas): Uint8Array {
  const context = canvas.getContext('2d') as
    CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!context) throw new Error('This browser cannot read pixels from a canvas.');
  const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
  return rgbaToGrayscale28(data, canvas.width, canvas.height);
}

async function pictureToInput(file: File): Promise<Uint8Array> {
  const bitmap = await createImageBitmap(file);
  try {
    const scale = Math.min(1, MAX_UPLOAD_SIDE_PX / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('This browser cannot draw the picture on a canvas.');
    context.imageSmoothingQuality = 'high';
    context.drawImage(bitmap, 0, 0, width, height);
    return toDatasetPolarity(canvasToInput(canvas));
  } finally {
    bitmap.close();
  }
}

function clearDrawing(canvas: HTMLCanvasElement | null): void {
  const context = canvas?.getContext('2d', { willReadFrequently: true });
  if (!canvas || !context) return;
  // Black like the dataset's background, so strokes need no inversion.
  context.fillStyle = '#000';
  context.fillRect(0, 0, canvas.width, canvas.height);
}

/** Pointer position in canvas pixels (the canvas may be shown at another CSS size). */
function canvasPoint(event: PointerEvent<HTMLCanvasElement>): { x: number; y: number } {
  const canvas = event.currentTarget;
  const rect = canvas.getBoundingClientRect();
  return {
    x: ((event.clientX - rect.left) * canvas.width) / (rect.width || canvas.width),
    y: ((event.clientY - rect.top) * canvas.height) / (rect.height || canvas.height),
  };
}

/**
 * Section 5: draw, upload or pick a test image and see the current model's three best guesses.
 * `predict` takes uint8 [n × 784] light-on-dark images and answers float32 [n × 10].
 */
export function TryItPanel({
  current,
  predict,
  test,
}: {
  current: CurrentModel | null;
  predict: (images: Uint8Array) => Promise<Float32Array>;
  test?: { images: Uint8Array; labels: Uint8Array; count: number };
}) {
  const id = useId();
  const drawingRef = useRef<HTMLCanvasElement>(null);
  const lastPointRef = useRef<{ x: number; y: number } | null>(null);
  /** Increases with every request, so a slow answer cannot overwrite a newer one. */
  const requestRef = useRef(0);
  const [input, setInput] = useState<Uint8Array | null>(null);
  const [inputDescription, setInputDescription] = useState('');
  const [prediction, setPrediction] = useState<Prediction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [isPredicting, setIsPredicting] = useState(false);
  /** The `Test image` field as typed, 1-based; parsed when the button is pressed. */
  const [testNumber, setTestNumber] = useState('1');

  const isDisabled = current === null;
  const testCount = test?.count ?? 0;

  useEffect(() => clearDrawing(drawingRef.current), []);

  const run = useCallback(
    async (image: Uint8Array, description: string) => {
      if (!current) return;
      const request = ++requestRef.current;
      setInput(image);
      setInputDescription(description);
      setError(null);
      setIsPredicting(true);
      try {
        const probabilities = await predict(image);
        if (request !== requestRef.current) return;
        setPrediction({ modelId: current.id, probabilities: probabilities.slice(0, 10) });
      } catch (cause) {
        if (request !== requestRef.current) return;
        setPrediction(null);
        setError(`Prediction failed: ${errorMessage(cause)}`);
      } finally {
        if (request === requestRef.current) setIsPredicting(false);
      }
    },
    [current, predict],
  );

  const onPointerDown = (event: PointerEvent<HTMLCanvasElement>) => {
    if (isDisabled) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    const point = canvasPoint(event);
    lastPointRef.current = point;
    const context = event.currentTarget.getContext('2d', { willReadFrequently: true });
    if (!context) return;
    // A dot, so a tap without moving still leaves a mark.
    context.fillStyle = '#fff';
    context.beginPath();
    context.arc(point.x, point.y, STROKE_WIDTH_PX / 2, 0, 2 * Math.PI);
    context.fill();
  };

  const onPointerMove = (event: PointerEvent<HTMLCanvasElement>) => {
    const last = lastPointRef.current;
    if (!last) return;
    const context = event.currentTarget.getContext('2d', { willReadFrequently: true });
    if (!context) return;
    const point = canvasPoint(event);
    context.strokeStyle = '#fff';
    context.lineWidth = STROKE_WIDTH_PX;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.beginPath();
    context.moveTo(last.x, last.y);
    context.lineTo(point.x, point.y);
    context.stroke();
    lastPointRef.current = point;
  };

  const onPointerUp = (event: PointerEvent<HTMLCanvasElement>) => {
    if (!lastPointRef.current) return;
    lastPointRef.current = null;
    // Drawn white on black already, so no polarity guess (a stroke along the edge could fool it).
    void run(canvasToInput(event.currentTarget), 'your drawing');
  };

  const onClear = () => {
    clearDrawing(drawingRef.current);
    requestRef.current++;
    setInput(null);
    setPrediction(null);
    setError(null);
    setIsPredicting(false);
  };

  const onPicture = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.currentTarget.files?.[0];
    event.currentTarget.value = '';
    if (!file) return;
    let image: Uint8Array;
    try {
      image = await pictureToInput(file);
    } catch (cause) {
      setError(`Could not read ${file.name} as a PNG or JPEG picture: ${errorMessage(cause)}`);
      return;
    }
    await run(image, file.name);
  };

  const onShowTestImage = () => {
    if (!test || testCount === 0) return;
    const typed = Math.round(Number(testNumber));
    const index = Math.min(testCount, Math.max(1, Number.isFinite(typed) ? typed : 1)) - 1;
    setTestNumber(String(index + 1));
    const image = test.images.slice(index * PIXELS_PER_IMAGE, (index + 1) * PIXELS_PER_IMAGE);
    const trueClass = CLASS_NAMES[test.labels[index]] ?? `class ${test.labels[index]}`;
    void run(image, `test image ${index + 1} (${trueClass})`);
  };

  const shownPrediction = prediction && prediction.modelId === current?.id ? prediction : null;

  return (
    <section className="panel" aria-label="Try it">
      <h2>5 · Try it</h2>
      {isDisabled ? (
        <p className="muted">Train or load a model first.</p>
      ) : (
        <p className="muted">
          Draw a garment, upload a picture, or pick a test image; {current.name} guesses what it is.
        </p>
      )}
      <div className="try-it">
        <div className="try-it-drawing">
          <canvas
            ref={drawingRef}
            width={DRAWING_SIZE_PX}
            height={DRAWING_SIZE_PX}
            style={{ width: DRAWING_SIZE_PX, height: DRAWING_SIZE_PX, touchAction: 'none' }}
            aria-label="Drawing canvas"
            aria-disabled={isDisabled}
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={onPointerUp}
            onPointerCancel={onPointerUp}
          />
          <div className="buttons">
            <button type="button" onClick={onClear} disabled={isDisabled}>
              Clear
            </button>
          </div>
        </div>
        <div className="try-it-inputs">
          <div className="field">
            <label htmlFor={`${id}-picture`}>Picture</label>
            <input
              id={`${id}-picture`}
              type="file"
              accept="image/png,image/jpeg"
              disabled={isDisabled}
              onChange={(event) => void onPicture(event)}
            />
          </div>
          {test && testCount > 0 && (
            <div className="field">
              <label htmlFor={`${id}-test`}>Test image</label>
              <input
                id={`${id}-test`}
                type="number"
                min={1}
                max={testCount}
                step={1}
                value={testNumber}
                disabled={isDisabled}
                onChange={(event) => setTestNumber(event.currentTarget.value)}
              />
              <button type="button" onClick={onShowTestImage} disabled={isDisabled}>
                Show test image
              </button>
            </div>
          )}
          {input && (
            <figure>
              <ImageCanvas
                images={input}
                index={0}
                scale={4}
                label={`Model input, 28 × 28: ${inputDescription}`}
              />
              <figcaption className="muted small">Model input: {inputDescription}</figcaption>
            </figure>
          )}
          {isPredicting && (
            <p role="status" className="muted">
              Predicting…
            </p>
          )}
          {shownPrediction && (
            <ol aria-label="Top 3 classes">
              {topClasses(shownPrediction.probabilities, TOP_CLASS_COUNT).map(
                ({ label, probability }) => (
                  <li key={label}>
                    {CLASS_NAMES[label]} — {formatPercent(probability, 1)}
                  </li>
                ),
              )}
            </ol>
          )}
          {error && (
            <div role="alert" className="alert">
              {error}
            </div>
          )}
        </div>
      </div>
    </section>
  );
}
