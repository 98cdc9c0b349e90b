/**
 * Facts about Fashion-MNIST itself: image geometry, classes and the Kaggle CSV layout.
 * Everything here is plain data so that every layer (worker, Node tests, UI) can import it.
 */

/** Width and height of one image, in pixels. */
export const IMAGE_SIZE_PX = 28;
/** Pixels in one image: 28 × 28 = 784, one byte each (0–255). */
export const PIXELS_PER_IMAGE = IMAGE_SIZE_PX * IMAGE_SIZE_PX;
/** Largest pixel value in the files (8-bit grayscale). */
export const MAX_PIXEL_VALUE = 255;
/** Number of classes; labels are 0 … NUM_CLASSES − 1. */
export const NUM_CLASSES = 10;
/** Model input shape, [height, width, channels]. */
export const INPUT_SHAPE: [number, number, number] = [IMAGE_SIZE_PX, IMAGE_SIZE_PX, 1];

/** Class names in label order (0 = T-shirt/top … 9 = Ankle boot). */
export const CLASS_NAMES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** Kaggle CSV column names: `label`, then `pixel1` … `pixel784` (1-based, row-major). */
export const CSV_COLUMNS: readonly string[] = [
  'label',
  ...Array.from({ length: PIXELS_PER_IMAGE }, (_, i) => `pixel${i + 1}`),
];
/** Fields in one CSV row: 1 label + 784 pixels. */
export const CSV_FIELDS_PER_ROW = CSV_COLUMNS.length;

/** Official split sizes, used to say when a file is a subset, never to validate. */
export const OFFICIAL_TRAIN_COUNT = 60_000;
export const OFFICIAL_TEST_COUNT = 10_000;

/** The two splits the app works with. */
export type SplitName = 'train' | 'test';
