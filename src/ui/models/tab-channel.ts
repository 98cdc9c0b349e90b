/**
 * Tells the app's other tabs that browser storage changed (a model saved or deleted), so
 * their lists follow without a reload. A BroadcastChannel reaches every same-origin tab but
 * the sender; where it is missing the other tabs simply see the change on their next reload.
 */

const MODELS_CHANNEL_NAME = 'fashion-mnist-studio/saved-models';

export interface SavedModelsChannel {
  /** Says that the saved models changed. */
  announce: () => void;
  /** Calls `onChange` when another tab announces a change; returns the unsubscribe. */
  listen: (onChange: () => void) => () => void;
}

export function createSavedModelsChannel(): SavedModelsChannel {
  const isAvailable = typeof BroadcastChannel !== 'undefined';
  return {
    announce: () => {
      if (!isAvailable) return;
      const channel = new BroadcastChannel(MODELS_CHANNEL_NAME);
      channel.postMessage({ kind: 'saved-models-changed' });
      channel.close();
    },
    listen: (onChange) => {
      if (!isAvailable) return () => undefined;
      const channel = new BroadcastChannel(MODELS_CHANNEL_NAME);
      channel.onmessage = () => onChange();
      return () => channel.close();
    },
  };
}
