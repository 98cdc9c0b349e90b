import { useEffect, useRef, type PointerEvent } from 'react';
import { canvasToInput } from './canvas-to-input';
import {
  canvasPoint,
  clearDrawing,
  drawDot,
  drawSegment,
  type CanvasPoint,
} from './drawing-strokes';

/** Drawing surface size, in canvas pixels and CSS pixels (10× the model input). */
const DRAWING_SIZE_PX = 280;

/**
 * A canvas to draw a garment on with mouse or finger, and `Clear`. Each finished stroke hands
 * the whole drawing over as uint8 [784].
 */
export function DrawingPad({
  disabled,
  onDrawing,
  onClear,
}: {
  disabled: boolean;
  onDrawing: (image: Uint8Array) => void;
  onClear: () => void;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  /** Where the stroke under way last was; null between strokes. */
  const lastPointRef = useRef<CanvasPoint | null>(null);

  useEffect(() => clearDrawing(canvasRef.current), []);

  const onPointerDown = (event: PointerEvent<HTMLCanvasElement>) => {
    if (disabled) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    const point = canvasPoint(event);
    lastPointRef.current = point;
    drawDot(event.currentTarget, point);
  };

  const onPointerMove = (event: PointerEvent<HTMLCanvasElement>) => {
    const last = lastPointRef.current;
    if (!last) return;
    const point = canvasPoint(event);
    drawSegment(event.currentTarget, last, point);
    lastPointRef.current = point;
  };

  const onPointerUp = (event: PointerEvent<HTMLCanvasElement>) => {
    if (!lastPointRef.current) return;
    lastPointRef.current = null;
    // Drawn white on black already, so no polarity guess (a stroke along the edge could fool it).
    onDrawing(canvasToInput(event.currentTarget));
  };

  return (
    <div className="try-it-drawing">
      <canvas
        ref={canvasRef}
        width={DRAWING_SIZE_PX}
        height={DRAWING_SIZE_PX}
        style={{ width: DRAWING_SIZE_PX, height: DRAWING_SIZE_PX, touchAction: 'none' }}
        aria-label="Drawing canvas"
        aria-disabled={disabled}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
      />
      <div className="buttons">
        <button
          type="button"
          onClick={() => {
            clearDrawing(canvasRef.current);
            onClear();
          }}
          disabled={disabled}
        >
          Clear
        </button>
      </div>
    </div>
  );
}
