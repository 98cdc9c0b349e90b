/** Number and time formatting for the UI, in one place so every panel says things alike. */

const COUNT_FORMAT = new Intl.NumberFormat('en-US');

/** 60000 → "60,000". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '–';
  return COUNT_FORMAT.format(n);
}

/** 0.93121 → "93.12%". */
export function formatPercent(fraction: number, digits = 2): string {
  if (!Number.isFinite(fraction)) return '–';
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** Bytes → "133.0 MB" (decimal units, as file managers show sizes). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  if (bytes < 1000) return `${bytes} B`;
  // Choose the unit after rounding, so 999,950 bytes reads "1.0 MB", not "1000.0 kB".
  if (Number((bytes / 1e3).toFixed(1)) < 1000) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (Number((bytes / 1e6).toFixed(1)) < 1000) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

/** Milliseconds → "1 h 02 min", "3 min 05 s", "12.3 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const totalSeconds = ms / 1000;
  // Round first, so 59.96 s reads "1 min 00 s", not "60.0 s".
  if (Number(totalSeconds.toFixed(1)) < 60) return `${totalSeconds.toFixed(1)} s`;
  const wholeSeconds = Math.round(totalSeconds);
  const seconds = wholeSeconds % 60;
  const minutes = Math.floor(wholeSeconds / 60) % 60;
  const hours = Math.floor(wholeSeconds / 3600);
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

/** A loss or other small real number with 4 significant decimals. */
export function formatMetric(value: number): string {
  return Number.isFinite(value) ? value.toFixed(4) : '–';
}
