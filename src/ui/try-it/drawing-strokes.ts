/**
 * Drawing on the Try it canvas: white strokes on black, like the dataset, so a drawing needs no
 * polarity guess. Sizes are in canvas pixels.
 */
import type { PointerEvent } from 'react';

/** Stroke width on the drawing surface; about 2 px of the 28×28 input, like a garment outline. */
const STROKE_WIDTH_PX = 22;

/** A position in canvas pixels. */
export interface CanvasPoint {
  x: number;
  y: number;
}

const contextOf = (canvas: HTMLCanvasElement) =>
  canvas.getContext('2d', { willReadFrequently: true });

/** Paints the whole canvas background black: an empty drawing. */
export function clearDrawing(canvas: HTMLCanvasElement | null): void {
  const context = canvas && contextOf(canvas);
  if (!canvas || !context) return;
  // Black like the dataset's background, so strokes need no inversion.
  context.fillStyle = '#000';
  context.fillRect(0, 0, canvas.width, canvas.height);
}

/** Pointer position in canvas pixels (the canvas may be shown at another CSS size). */
export function canvasPoint(event: PointerEvent<HTMLCanvasElement>): CanvasPoint {
  const canvas = event.currentTarget;
  const rect = canvas.getBoundingClientRect();
  return {
    x: ((event.clientX - rect.left) * canvas.width) / (rect.width || canvas.width),
    y: ((event.clientY - rect.top) * canvas.height) / (rect.height || canvas.height),
  };
}

/** A dot, so a tap without moving still leaves a mark. */
export function drawDot(canvas: HTMLCanvasElement, point: CanvasPoint): void {
  const context = contextOf(canvas);
  if (!context) return;
  context.fillStyle = '#fff';
  context.beginPath();
  context.arc(point.x, point.y, STROKE_WIDTH_PX / 2, 0, 2 * Math.PI);
  context.fill();
}

/** A round-capped stroke from `from` to `to`, as a pointer moves. */
export function drawSegment(canvas: HTMLCanvasElement, from: CanvasPoint, to: CanvasPoint): void {
  const context = contextOf(canvas);
  if (!context) return;
  context.strokeStyle = '#fff';
  context.lineWidth = STROKE_WIDTH_PX;
  context.lineCap = 'round';
  context.lineJoin = 'round';
  context.beginPath();
  context.moveTo(from.x, from.y);
  context.lineTo(to.x, to.y);
  context.stroke();
}
