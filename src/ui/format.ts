/** Number and time formatting for the UI, in one place so every panel says things alike. */

const COUNT_FORMAT = new Intl.NumberFormat('en-US');

/** 60000 → "60,000". */
export function formatCount(n: number): string {
  return COUNT_FORMAT.format(n);
}

/** 0.93121 → "93.12%". */
export function formatPercent(fraction: number, digits = 2): string {
  if (!Number.isFinite(fraction)) return '–';
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** Bytes → "133.0 MB" (decimal units, as file managers show sizes). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

/** Milliseconds → "1 h 02 min", "3 min 05 s", "12.3 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const totalSeconds = ms / 1000;
  if (totalSeconds < 60) return `${totalSeconds.toFixed(1)} s`;
  const seconds = Math.floor(totalSeconds % 60);
  const minutes = Math.floor(totalSeconds / 60) % 60;
  const hours = Math.floor(totalSeconds / 3600);
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

/** A loss or other small real number with 4 significant decimals. */
export function formatMetric(value: number): string {
  return Number.isFinite(value) ? value.toFixed(4) : '–';
}
