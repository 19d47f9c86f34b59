import type { SearchTerm } from '../db/dialect';
import { escapeHtml } from '../http/html';

/**
 * What a search box query becomes, and how results show the words found. The database folds
 * accents and ligatures the same way (see migrations 20261201001100_articles_search and
 * 20261202003100_search_ligatures), so that "ecole" and "École", "voeux" and "vœux" meet in the middle.
 */

export const MAX_QUERY_LENGTH = 200;
const MAX_TERMS = 8;
const MAX_TERM_LENGTH = 40;
const WORD = /[\p{L}\p{N}]+/gu;

// Words that every French article contains: requiring them would only hide results.
const STOP_WORDS = new Set([
  'a',
  'au',
  'aux',
  'd',
  'de',
  'des',
  'du',
  'en',
  'et',
  'l',
  'la',
  'le',
  'les',
  'ou',
  'par',
  'pour',
  'sur',
  'un',
  'une',
  'the',
  'of',
]);

const LIGATURES: Record<string, string> = { œ: 'oe', Œ: 'oe', æ: 'ae', Æ: 'ae' };

/** Lower case without accents, ligatures spelled out: "Fête" → "fete", "Vœux" → "voeux". */
export function fold(s: string): string {
  return s
    .replace(/[œŒæÆ]/g, (ch) => LIGATURES[ch] ?? ch)
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase();
}

/**
 * The query cut to MAX_QUERY_LENGTH between two words: a word cut in half would be looked for as
 * a prefix ("municipalité" → "munic") or, at one or two letters, as a word of its own.
 */
export function truncateQuery(raw: string): string {
  if (raw.length <= MAX_QUERY_LENGTH) return raw;
  let cut = raw.slice(0, MAX_QUERY_LENGTH);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1); // never half an emoji
  if (/[\p{L}\p{N}\p{M}]$/u.test(cut) && /^[\p{L}\p{N}\p{M}]/u.test(raw.slice(cut.length))) {
    const whole = cut.replace(/[\p{L}\p{N}\p{M}]+$/u, '');
    // One word longer than the limit has no boundary to cut at: its beginning is all there is.
    if (whole.trim()) cut = whole;
  }
  return cut.trimEnd();
}

/** The words to look for. Punctuation and operators ("*", quotes, "; drop") are mere separators. */
export function parseQuery(raw: string): SearchTerm[] {
  const words = [...new Set(fold(truncateQuery(raw)).match(WORD) ?? [])].map((w) => w.slice(0, MAX_TERM_LENGTH));
  const meaningful = words.filter((w) => !STOP_WORDS.has(w));
  const kept = (meaningful.length ? meaningful : words).slice(0, MAX_TERMS);
  // A prefix of one or two letters would match nearly everything. A plural looks for its
  // singular too ("écoles" finds "École"): the prefix without the final s or x.
  return kept.map((w) => {
    const text = w.length >= 5 && /[a-z][sx]$/.test(w) ? w.slice(0, -1) : w;
    return { text, prefix: text.length >= 3 };
  });
}

function matches(word: string, terms: SearchTerm[]): boolean {
  const f = fold(word);
  return terms.some((t) => (t.prefix ? f.startsWith(t.text) : f === t.text));
}

/** Escaped HTML of `text` with the words found wrapped in <mark>. */
export function highlight(text: string, terms: SearchTerm[]): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(WORD)) {
    if (!matches(m[0], terms)) continue;
    out += `${escapeHtml(text.slice(last, m.index))}<mark>${escapeHtml(m[0])}</mark>`;
    last = m.index + m[0].length;
  }
  return out + escapeHtml(text.slice(last));
}

/** About `length` characters of `text` around the first word found (escaped, highlighted), or null. */
export function excerpt(text: string, terms: SearchTerm[], length = 220): string | null {
  let first: number | null = null;
  for (const m of text.matchAll(WORD)) {
    if (matches(m[0], terms)) {
      first = m.index;
      break;
    }
  }
  if (first === null) return null;
  let start = Math.max(0, first - Math.floor(length / 3));
  let end = Math.min(text.length, start + length);
  // Cut between words, not inside one.
  if (start > 0) start = text.indexOf(' ', start) + 1 || start;
  if (end < text.length) end = text.lastIndexOf(' ', end) > first ? text.lastIndexOf(' ', end) : end;
  return `${start > 0 ? '… ' : ''}${highlight(text.slice(start, end).trim(), terms)}${end < text.length ? ' …' : ''}`;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** The readable text of sanitized article HTML, for excerpts and exports. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<\/?(p|div|h\d|li|ul|ol|br|blockquote|tr|table|pre)\b[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const cp = e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
        return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
}
