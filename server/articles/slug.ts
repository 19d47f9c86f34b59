/**
 * URL slugs: lower-case ASCII letters, digits and single hyphens. French accents are folded
 * ("é" → "e"), ligatures expanded ("œ" → "oe"); anything else (emoji, CJK, punctuation) becomes a
 * separator, so a hand-typed slug can never carry a character that needs escaping in a URL.
 */
export const SLUG_MAX = 150; // the column holds 160: room for a "-123" suffix

const LIGATURES: Record<string, string> = {
  œ: 'oe', Œ: 'oe', æ: 'ae', Æ: 'ae', ß: 'ss', ø: 'o', Ø: 'o', đ: 'd', Đ: 'd', ł: 'l', Ł: 'l', þ: 'th', Þ: 'th', ð: 'd', Ð: 'd',
};

export function slugify(text: string): string {
  const folded = text
    .replace(/[œŒæÆßøØđĐłŁþÞðÐ]/g, (ch) => LIGATURES[ch] ?? '')
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  const slug = folded.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (slug.length <= SLUG_MAX) return slug;
  return slug.slice(0, SLUG_MAX).replace(/-+$/, '');
}

/** "fete" → "fete-2", "fete-2" → "fete-3": the next candidate when a slug is taken. */
export function withSuffix(base: string, n: number): string {
  const suffix = `-${n}`;
  return `${base.slice(0, SLUG_MAX + 10 - suffix.length).replace(/-+$/, '')}${suffix}`;
}
