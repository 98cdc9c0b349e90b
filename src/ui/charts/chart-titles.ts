/**
 * Titles of the images people take away, shared by the tab's downloads and the command line's
 * files: the epoch charts are named like the seed project's Keras figures.
 */
export const EPOCH_IMAGE_TITLES = { loss: 'model loss', accuracy: 'model accuracy' } as const;
export const CONFUSION_IMAGE_TITLE = 'confusion matrix (test set)';
