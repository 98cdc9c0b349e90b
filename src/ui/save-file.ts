/**
 * Hands a file to the browser's downloads: one anchor click per file, as tfjs's
 * `downloads://` does (Chromium may ask once before allowing several downloads from a page).
 */

/** How long the blob URL lives: the download may still be reading it after the click. */
const BLOB_URL_LIFETIME_MS = 60_000;

export function saveFile(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), BLOB_URL_LIFETIME_MS);
}
