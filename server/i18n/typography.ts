/**
 * French typography at rendering time: the spaces that French puts before `; : ! ?` and inside
 * « » become non-breaking, so that a title never breaks before its colon and a « never ends a
 * line. The stored text is never changed (what the officer typed stays what they typed); this
 * runs on what is shown: site pages, feeds, e-mails.
 *
 * The choice, after the Imprimerie nationale's "Lexique des règles typographiques" (the French
 * norm most style guides follow):
 * - U+202F NARROW NO-BREAK SPACE (espace fine insécable) before `;`, `!` and `?`;
 * - U+00A0 NO-BREAK SPACE (espace insécable, the full word space) before `:` and inside « »
 *   (after « and before »).
 * Only an existing space is turned into a non-breaking one before `; : ! ?`: none is added where
 * the writer put none, because "10:30", "https://", "Note:" in a quoted English name or "?!" in a
 * URL are not French punctuation. Inside « » a missing space is added (no URL or time holds «).
 *
 * In HTML only text is touched: never a tag, an attribute, a comment, or the content of
 * `code`, `pre`, `kbd`, `samp`, `script`, `style`, `textarea`; and in any text, never a URL.
 */

export const NNBSP = '\u202F';
export const NBSP = '\u00A0';

// Ordinary spaces and tabs (not line breaks: a line ending before "?" is the writer's choice).
const SPACES_BEFORE_THIN = /[ \t\u00A0\u2009\u202F]+([;!?])/g;
const SPACES_BEFORE_COLON = /[ \t\u00A0\u2009\u202F]+:/g;
const AFTER_OPENING = /«[ \t\u00A0\u2009\u202F]*/g;
const BEFORE_CLOSING = /[ \t\u00A0\u2009\u202F]*»/g;

// URLs and e-mail addresses are left exactly as written.
const URLISH = /(?:\b(?:https?|ftp|mailto|tel):[^\s<>"]*|\bwww\.[^\s<>"]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)/gi;

function spacePlain(text: string): string {
  return text
    .replace(SPACES_BEFORE_THIN, `${NNBSP}$1`)
    .replace(SPACES_BEFORE_COLON, `${NBSP}:`)
    .replace(AFTER_OPENING, `«${NBSP}`)
    .replace(BEFORE_CLOSING, `${NBSP}»`);
}

/** Plain text (a title, a feed's description, an e-mail's text part): URLs are kept as they are. */
export function frenchSpacing(text: string): string {
  if (!/[;:!?«»]/.test(text)) return text;
  let out = '';
  let last = 0;
  for (const m of text.matchAll(URLISH)) {
    out += spacePlain(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + spacePlain(text.slice(last));
}

// The elements whose text is code or data, not prose.
const VERBATIM = new Set(['code', 'pre', 'kbd', 'samp', 'script', 'style', 'textarea', 'var']);

// A tag, a comment, a CDATA section or a doctype: copied as is.
const MARKUP = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<![^>]*>|<\/?([A-Za-z][A-Za-z0-9-]*)(?:[^>"']|"[^"]*"|'[^']*')*>/g;

/**
 * HTML (a page, an article's body, an e-mail): only text between tags changes. Entities stay
 * entities; a space written `&nbsp;` before a colon is already right.
 */
export function frenchSpacingHtml(html: string): string {
  if (!/[;:!?«»]/.test(html)) return html;
  let out = '';
  let last = 0;
  // Depth inside verbatim elements: nothing is touched until the outermost one closes.
  let verbatim = 0;
  for (const m of html.matchAll(MARKUP)) {
    const text = html.slice(last, m.index);
    out += verbatim > 0 ? text : frenchSpacingText(text);
    out += m[0];
    last = m.index + m[0].length;
    const name = m[1]?.toLowerCase();
    if (name && VERBATIM.has(name) && !m[0].endsWith('/>')) verbatim = Math.max(0, verbatim + (m[0].startsWith('</') ? -1 : 1));
  }
  const rest = html.slice(last);
  return out + (verbatim > 0 ? rest : frenchSpacingText(rest));
}

// `&amp;` and friends are text too, but a space written as an entity is not one of ours to move.
function frenchSpacingText(text: string): string {
  return text ? frenchSpacing(text) : text;
}
