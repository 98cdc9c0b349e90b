import { useEffect, useRef } from 'react';
import { IMAGE_SIZE_PX, PIXELS_PER_IMAGE } from '../../config/dataset';

/** Draws one 28×28 grayscale image (uint8, 0–255, row-major) at `scale`× its size. */
export function ImageCanvas({
  images,
  index,
  scale = 2,
  label,
}: {
  /** uint8 [n × 784]. */
  images: Uint8Array;
  index: number;
  scale?: number;
  label: string;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const context = canvasRef.current?.getContext('2d');
    if (!context) return;
    const pixels = images.subarray(index * PIXELS_PER_IMAGE, (index + 1) * PIXELS_PER_IMAGE);
    const rgba = new ImageData(IMAGE_SIZE_PX, IMAGE_SIZE_PX);
    for (let i = 0; i < PIXELS_PER_IMAGE; i++) {
      // The dataset is light-on-dark (0 = background); show it dark-on-light like the
      // Fashion-MNIST sprite, which reads better on a light page.
      const v = 255 - pixels[i];
      rgba.data[i * 4] = v;
      rgba.data[i * 4 + 1] = v;
      rgba.data[i * 4 + 2] = v;
      rgba.data[i * 4 + 3] = 255;
    }
    context.putImageData(rgba, 0, 0);
  }, [images, index]);
  return (
    <canvas
      ref={canvasRef}
      width={IMAGE_SIZE_PX}
      height={IMAGE_SIZE_PX}
      style={{ width: IMAGE_SIZE_PX * scale, height: IMAGE_SIZE_PX * scale }}
      className="pixelated"
      role="img"
      aria-label={label}
    />
  );
}
