import fs from 'node:fs/promises';
import zlib from 'node:zlib';

/**
 * What a received file really is, read from its bytes, never from its name or the browser's
 * type: a renamed program, an HTML page called "menu.pdf" or a macro-enabled workbook is refused.
 *
 * - PDF: starts with `%PDF-`.
 * - ODF (ODT, ODS): a ZIP whose first entry is `mimetype`, stored uncompressed, holding the
 *   document's type (ODF 1.2 §3.3), with `content.xml` and `META-INF/manifest.xml`.
 * - OOXML (DOCX, XLSX): a ZIP holding `[Content_Types].xml` that declares the right main part
 *   (`word/document.xml` or `xl/workbook.xml` with its type); macros (vbaProject.bin,
 *   macroEnabled types) are refused.
 * - CSV: text has no signature, so the name must say .csv, and the content must be valid UTF-8
 *   without NUL or other control characters than tab and line ends.
 */
export type AttachmentKind = 'pdf' | 'odt' | 'ods' | 'docx' | 'xlsx' | 'csv';

export const KIND_INFO: Record<AttachmentKind, { label: string; ext: string; type: string }> = {
  pdf: { label: 'PDF', ext: 'pdf', type: 'application/pdf' },
  odt: { label: 'ODT', ext: 'odt', type: 'application/vnd.oasis.opendocument.text' },
  ods: { label: 'ODS', ext: 'ods', type: 'application/vnd.oasis.opendocument.spreadsheet' },
  docx: { label: 'DOCX', ext: 'docx', type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
  xlsx: { label: 'XLSX', ext: 'xlsx', type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  csv: { label: 'CSV', ext: 'csv', type: 'text/csv; charset=utf-8' },
};

export type Sniffed = { kind: AttachmentKind } | { refused: string };

const REFUSED_TYPE = 'Ce fichier n’est pas d’un type accepté : joignez un PDF, un document texte (ODT, DOCX), un tableur (ODS, XLSX) ou un fichier CSV.';
const BROKEN_ZIP = 'Ce fichier est abîmé ou n’est pas un document bureautique : enregistrez-le de nouveau depuis votre logiciel, puis réessayez.';
const MACROS = 'Ce classeur contient des macros, qui ne sont pas acceptées : enregistrez-le au format XLSX ou DOCX sans macros.';

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** The central directory of a ZIP (no ZIP64: office documents of a commune stay far below 4 GB). */
function centralDirectory(buf: Buffer): ZipEntry[] | null {
  // The end record is in the last 22 + 65535 bytes (its comment is at most 65535 bytes).
  const from = Math.max(0, buf.length - 22 - 65535);
  let eocd = -1;
  for (let i = buf.length - 22; i >= from; i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) return null;
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    if (p + 46 + nameLen > buf.length) return null;
    entries.push({
      method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      name: buf.toString('utf8', p + 46, p + 46 + nameLen),
      localOffset: buf.readUInt32LE(p + 42),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** An entry's bytes, inflated with a ceiling: a small "zip bomb" cannot fill the memory. */
function entryData(buf: Buffer, e: ZipEntry, max: number): Buffer | null {
  const h = e.localOffset;
  if (h + 30 > buf.length || buf.readUInt32LE(h) !== 0x04034b50) return null;
  const start = h + 30 + buf.readUInt16LE(h + 26) + buf.readUInt16LE(h + 28);
  const raw = buf.subarray(start, start + e.compressedSize);
  if (raw.length !== e.compressedSize || e.size > max) return null;
  try {
    if (e.method === 0) return raw;
    if (e.method === 8) return zlib.inflateRawSync(raw, { maxOutputLength: max });
  } catch {
    return null;
  }
  return null;
}

function sniffZip(buf: Buffer): Sniffed {
  const entries = centralDirectory(buf);
  if (!entries) return { refused: BROKEN_ZIP };
  const names = new Set(entries.map((e) => e.name));
  // ODF: the first local header is an uncompressed `mimetype` entry.
  const first = buf.subarray(30, 38).toString('latin1');
  if (first === 'mimetype' && buf.readUInt16LE(8) === 0) {
    const mime = entries.find((e) => e.name === 'mimetype');
    const value = mime && entryData(buf, mime, 200)?.toString('ascii');
    if (!names.has('content.xml') || !names.has('META-INF/manifest.xml')) return { refused: BROKEN_ZIP };
    if (value === KIND_INFO.odt.type) return { kind: 'odt' };
    if (value === KIND_INFO.ods.type) return { kind: 'ods' };
    return { refused: REFUSED_TYPE };
  }
  const types = entries.find((e) => e.name === '[Content_Types].xml');
  if (!types) return { refused: REFUSED_TYPE };
  const xml = entryData(buf, types, 1024 * 1024)?.toString('utf8');
  if (!xml) return { refused: BROKEN_ZIP };
  if ([...names].some((n) => /vbaProject\.bin$/i.test(n)) || /macroEnabled/i.test(xml)) return { refused: MACROS };
  const declares = (part: string, type: string) =>
    names.has(part) && new RegExp(`PartName="/${part.replace(/[.]/g, '\\.')}"\\s+ContentType="${type.replace(/[.+]/g, '\\$&')}"`).test(xml);
  if (declares('word/document.xml', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml')) return { kind: 'docx' };
  if (declares('xl/workbook.xml', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml')) return { kind: 'xlsx' };
  return { refused: REFUSED_TYPE };
}

// Tab, line feed and carriage return are the only control characters a CSV holds.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function sniffCsv(buf: Buffer): Sniffed {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return { refused: 'Ce fichier CSV n’est pas en UTF-8 : enregistrez-le en « CSV UTF-8 » depuis votre tableur, puis réessayez.' };
  }
  if (CONTROL.test(text)) return { refused: 'Ce fichier n’est pas un fichier CSV : il contient des caractères qu’un texte ne contient pas.' };
  if (!text.trim()) return { refused: 'Ce fichier est vide.' };
  return { kind: 'csv' };
}

/** Reads the stored temporary file and says what it is. */
export async function sniffFile(file: string, originalName: string): Promise<Sniffed> {
  const buf = await fs.readFile(file);
  return sniffBytes(buf, originalName);
}

export function sniffBytes(buf: Buffer, originalName: string): Sniffed {
  if (buf.length === 0) return { refused: 'Ce fichier est vide.' };
  if (buf.subarray(0, 5).toString('latin1') === '%PDF-') return { kind: 'pdf' };
  if (buf.length >= 30 && buf.readUInt32LE(0) === 0x04034b50) return sniffZip(buf);
  if (/\.csv$/i.test(originalName)) return sniffCsv(buf);
  return { refused: REFUSED_TYPE };
}
