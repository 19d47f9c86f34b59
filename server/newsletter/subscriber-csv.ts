import { SubscribeSchema } from './subscribers.schemas';
import { normalizeEmail } from './keys';

/** A row of an import, as read from the file (line numbers as a spreadsheet shows them). */
export interface ImportRow {
  line: number;
  email: string;
  topics: string[] | null;
  alertsOnly: boolean;
}

export interface Refusal {
  line: number;
  email: string;
  /** An i18n key, and its variables. */
  reason: string;
  vars: Record<string, string | number>;
}

export const MAX_IMPORT_ROWS = 20_000;

/**
 * Reads a CSV file as spreadsheets write them: UTF-8 (with or without BOM), separated by ";"
 * (French Excel) or ",", quoted fields with "" inside. Returns the cells of each line.
 */
export function parseCsv(text: string): string[][] {
  const src = text.replace(/^\uFEFF/, '');
  const firstLine = src.slice(0, src.search(/\r?\n|$/));
  const sep = (firstLine.match(/;/g)?.length ?? 0) >= (firstLine.match(/,/g)?.length ?? 0) && firstLine.includes(';') ? ';' : ',';
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === sep) {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

const EMAIL_HEADER = /^(e-?mail|courriel|adresse( e-?mail)?|mail)$/i;
const TOPICS_HEADER = /^(rubriques?|th[eè]mes?|topics?)$/i;
const ALERTS_HEADER = /^(alertes?( uniquement)?|alerts?( only)?)$/i;
const YES = /^(oui|o|yes|y|1|vrai|true|x)$/i;

/**
 * The rows of an import. A first line naming an e-mail column is a header (optional columns:
 * "rubriques", names or slugs separated by "|" or ","; "alertes uniquement", oui/non); without
 * one, the first column holds the addresses. Empty lines are skipped.
 */
export function importRows(text: string): { rows: ImportRow[]; tooMany: boolean } {
  const cells = parseCsv(text);
  const header = cells[0]?.map((h) => h.trim()) ?? [];
  let emailCol = header.findIndex((h) => EMAIL_HEADER.test(h));
  const hasHeader = emailCol !== -1;
  if (!hasHeader) emailCol = 0;
  const topicsCol = hasHeader ? header.findIndex((h) => TOPICS_HEADER.test(h)) : -1;
  const alertsCol = hasHeader ? header.findIndex((h) => ALERTS_HEADER.test(h)) : -1;
  const rows: ImportRow[] = [];
  for (let i = hasHeader ? 1 : 0; i < cells.length; i++) {
    const r = cells[i]!;
    if (r.every((c) => !c.trim())) continue;
    if (rows.length >= MAX_IMPORT_ROWS) return { rows, tooMany: true };
    const topicsCell = topicsCol >= 0 ? (r[topicsCol] ?? '').trim() : '';
    rows.push({
      line: i + 1,
      email: (r[emailCol] ?? '').trim(),
      topics: topicsCell
        ? topicsCell
            .split(/[|,]/)
            .map((t) => t.trim())
            .filter(Boolean)
        : null,
      alertsOnly: alertsCol >= 0 && YES.test((r[alertsCol] ?? '').trim()),
    });
  }
  return { rows, tooMany: false };
}

/** Whether a cell holds one valid address, by the same rule as the site's form. */
export function isValidEmail(email: string): boolean {
  return SubscribeSchema.shape.email.safeParse(email).success;
}

export { normalizeEmail };
