/**
 * The real training rows the spec writes beside the check page for the seed CNN check: images
 * (REAL_ROWS × 784 bytes) followed by their labels (REAL_ROWS bytes).
 */
export const REAL_ROWS_PATH = '/real-train-rows.bin';
/** 6 training batches of 64 per epoch, and 64 validation rows. */
export const REAL_ROWS = 448;
