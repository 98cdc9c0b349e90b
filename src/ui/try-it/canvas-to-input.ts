/**
 * Pictures and drawings as the model's input, in the browser: read back from a canvas, then
 * image-to-input.ts's pure functions (area averaging, polarity).
 */
import { rgbaToGrayscale28, toDatasetPolarity } from './image-to-input';

/** Uploaded pictures are shrunk to at most this many pixels a side before area averaging. */
const MAX_UPLOAD_SIDE_PX = 560;

/** canvas → uint8 [784], the area-averaged grayscale of what is drawn on it. */
export function canvasToInput(canvas: HTMLCanvasElement | OffscreenCanvas): Uint8Array {
  const context = canvas.getContext('2d') as
    CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!context) throw new Error('This browser cannot read pixels from a canvas.');
  const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
  return rgbaToGrayscale28(data, canvas.width, canvas.height);
}

/** A PNG or JPEG file → uint8 [784], light-on-dark like the dataset. */
export async function pictureToInput(file: File): Promise<Uint8Array> {
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
