/**
 * Whether the person wants the loaded data kept in this browser. A preference, not data: it
 * may live in localStorage. On unless they turned it off.
 */

/** localStorage key of the setting. */
export const KEEP_DATA_SETTING_KEY = 'fashion-mnist-studio.keep-data';

/** The setting as stored: on unless it was turned off. */
export function readKeepDataSetting(): boolean {
  try {
    return window.localStorage.getItem(KEEP_DATA_SETTING_KEY) !== 'false';
  } catch {
    // Storage blocked entirely: the default stands, and the store will report why it fails.
    return true;
  }
}

/** Remembers the setting for the next visit, where storage allows. */
export function writeKeepDataSetting(keep: boolean): void {
  try {
    window.localStorage.setItem(KEEP_DATA_SETTING_KEY, String(keep));
  } catch {
    // Nothing to do: the setting then lasts for this visit only.
  }
}
