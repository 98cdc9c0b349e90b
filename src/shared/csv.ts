/**
 * CSV text as spreadsheets and pandas read it (RFC 4180): comma-separated, a cell quoted when
 * it holds a comma, quote or line break (quotes doubled), lines ended by "\n", a final newline.
 */

/** A cell: text, a number (NaN, undefined and null are left empty). */
export type CsvCell = string | number | null | undefined;

function formatCell(cell: CsvCell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return Number.isNaN(cell) ? '' : String(cell);
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/** The CSV text of a header row and data rows. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows].map((row) => row.map(formatCell).join(',')).join('\n') + '\n';
}
