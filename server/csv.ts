/**
 * Cells of the CSV files Crieur hands out (open data, the statistics export, the subscriber
 * list), written so that no spreadsheet runs a formula hidden in a text.
 *
 * A spreadsheet starts a formula at the start of a cell, and a cell is whatever lies between
 * separators: quotes keep "x;=1+1" in one cell for a reader that honours them, but a reader that
 * splits on ";" (French Excel's separator), "," or a tab and ignores quotes makes "=1+1" a cell
 * of its own. So a quote goes before every = + - @ that starts the text or follows a separator
 * or a line break, spaces and quotes between them included (some readers trim them); a leading
 * tab or carriage return, which some spreadsheets skip, is guarded the same way.
 */
const FORMULA_AFTER_SEPARATOR = /(^|[;,\t\r\n])([^\S\r\n]|")*(?=[=+\-@])/g;

export function guardFormulas(s: string): string {
  const guarded = s.replace(FORMULA_AFTER_SEPARATOR, "$&'");
  return /^[\t\r]/.test(guarded) ? `'${guarded}` : guarded;
}

export type CsvValue = string | number | boolean | null;

/**
 * Text is always quoted, so that a reader that honours quotes keeps it whole and never takes it
 * for a number; numbers and booleans stay bare; null is an empty cell.
 */
export function csvCell(v: CsvValue): string {
  if (v === null) return '';
  if (typeof v !== 'string') return String(v);
  return `"${guardFormulas(v).replace(/"/g, '""')}"`;
}

/** Excel reads UTF-8 accents right only after a byte order mark. */
export const BOM = '\uFEFF';

/** Lines of cells joined by `separator`, each line ended by CRLF (RFC 4180). */
export function csvLines(rows: CsvValue[][], separator: ',' | ';'): string {
  return rows.map((r) => r.map(csvCell).join(separator).concat('\r\n')).join('');
}
