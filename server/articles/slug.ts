/**
 * URL slugs: lower-case ASCII letters, digits and single hyphens. French accents are folded
 * ("é" → "e"), ligatures expanded ("œ" → "oe"), Cyrillic and Greek transliterated ("Москва" →
 * "moskva", "Αθήνα" → "athina"); anything else (emoji, CJK, Arabic, punctuation) becomes a
 * separator, so a hand-typed slug can never carry a character that needs escaping in a URL.
 * `unwritable` names the letters that were lost, so that the form can say so.
 */
export const SLUG_MAX = 150; // the column holds 160: room for a "-123" suffix

const LIGATURES: Record<string, string> = {
  œ: 'oe',
  Œ: 'oe',
  æ: 'ae',
  Æ: 'ae',
  ß: 'ss',
  ø: 'o',
  Ø: 'o',
  đ: 'd',
  Đ: 'd',
  ł: 'l',
  Ł: 'l',
  þ: 'th',
  Þ: 'th',
  ð: 'd',
  Ð: 'd',
};

/**
 * Letters whose diacritic changes the sound, read before accents are stripped: "й" is not "и".
 * Greek diaeresis keeps a vowel apart from the one before ("αϋ" is not the digraph "αυ").
 */
const BEFORE_FOLDING: Record<string, string> = {
  й: 'y',
  Й: 'y',
  ї: 'yi',
  Ї: 'yi',
  ϊ: 'i',
  Ϊ: 'i',
  ΐ: 'i',
  ϋ: 'y',
  Ϋ: 'y',
  ΰ: 'y',
};

/**
 * Russian, Ukrainian, Belarusian, Bulgarian, Serbian and Macedonian Cyrillic, in the simple
 * BGN/PCGN style people type in addresses (a table, not a dependency: it is all there is to it).
 */
const CYRILLIC: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
  є: 'ye',
  і: 'i',
  ґ: 'g',
  ђ: 'dj',
  ј: 'j',
  љ: 'lj',
  њ: 'nj',
  ћ: 'c',
  џ: 'dz',
  ѕ: 'dz',
};

/** Greek (ELOT 743, without its rarer rules). Digraphs first: "ου" is one sound. */
const GREEK_DIGRAPHS: [RegExp, string][] = [
  [/ου/g, 'ou'],
  [/αυ/g, 'av'],
  [/ευ/g, 'ev'],
  [/ηυ/g, 'iv'],
  [/γγ/g, 'ng'],
  [/γκ/g, 'gk'],
  [/γξ/g, 'nx'],
  [/γχ/g, 'nch'],
];
const GREEK: Record<string, string> = {
  α: 'a',
  β: 'v',
  γ: 'g',
  δ: 'd',
  ε: 'e',
  ζ: 'z',
  η: 'i',
  θ: 'th',
  ι: 'i',
  κ: 'k',
  λ: 'l',
  μ: 'm',
  ν: 'n',
  ξ: 'x',
  ο: 'o',
  π: 'p',
  ρ: 'r',
  σ: 's',
  ς: 's',
  τ: 't',
  υ: 'y',
  φ: 'f',
  χ: 'ch',
  ψ: 'ps',
  ω: 'o',
};

/** The text in lower-case ASCII where it can be, other characters left as they are. */
function fold(text: string): string {
  let s = text
    .normalize('NFC')
    .replace(/[œŒæÆßøØđĐłŁþÞðÐ]/g, (ch) => LIGATURES[ch] ?? '')
    .replace(/[йЙїЇϊΪΐϋΫΰ]/g, (ch) => BEFORE_FOLDING[ch] ?? '')
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  for (const [re, latin] of GREEK_DIGRAPHS) s = s.replace(re, latin);
  return s.replace(/[\u0400-\u04ff\u0370-\u03ff]/g, (ch) => CYRILLIC[ch] ?? GREEK[ch] ?? ch);
}

export function slugify(text: string): string {
  const slug = fold(text)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= SLUG_MAX) return slug;
  return slug.slice(0, SLUG_MAX).replace(/-+$/, '');
}

/**
 * The letters and digits of `text` that no slug can hold (a script without a transliteration
 * here: Arabic, Hebrew, Chinese…), each once, in the order typed. Symbols and punctuation are
 * not counted: turning them into hyphens is what anyone expects.
 */
export function unwritable(text: string): string[] {
  const lost = new Set<string>();
  for (const ch of text.normalize('NFC')) {
    if (/[\p{L}\p{N}]/u.test(ch) && /[^a-z0-9]/.test(fold(ch))) lost.add(ch);
  }
  return [...lost];
}

/** "fete" → "fete-2", "fete-2" → "fete-3": the next candidate when a slug is taken. */
export function withSuffix(base: string, n: number): string {
  const suffix = `-${n}`;
  return `${base.slice(0, SLUG_MAX + 10 - suffix.length).replace(/-+$/, '')}${suffix}`;
}
