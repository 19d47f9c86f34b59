/**
 * WCAG 2.1 contrast (success criterion 1.4.3). The commune picks its own colours; text drawn in
 * "on-primary" over "primary" must stay readable, so pairs below AA for normal text are refused.
 */
export const AA_NORMAL_TEXT = 4.5;

const HEX = /^#[0-9a-f]{6}$/i;

export function isHexColor(v: unknown): v is string {
  return typeof v === 'string' && HEX.test(v);
}

/** sRGB channel (0–255) to linear light, as defined by WCAG's relative luminance. */
function linear(channel: number): number {
  const c = channel / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

export function relativeLuminance(hex: string): number {
  if (!isHexColor(hex)) throw new TypeError(`not a #rrggbb colour: ${hex}`);
  const n = Number.parseInt(hex.slice(1), 16);
  const r = linear((n >> 16) & 0xff);
  const g = linear((n >> 8) & 0xff);
  const b = linear(n & 0xff);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** From 1 (same colour) to 21 (black on white); the order of the two colours does not matter. */
export function contrastRatio(a: string, b: string): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  const [hi, lo] = la > lb ? [la, lb] : [lb, la];
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * The ratio as people read it, "2,9" in French. One decimal is enough, except when rounding up
 * would show a refused ratio as the threshold itself: 4.478 then reads "4,48", never "4,5".
 */
export function formatRatio(ratio: number, locale: 'fr' | 'en' = 'fr', threshold = AA_NORMAL_TEXT): string {
  let digits = 1;
  let shown = Math.round(ratio * 10) / 10;
  if (ratio < threshold && shown >= threshold) {
    digits = 2;
    shown = Math.round(ratio * 100) / 100;
    if (shown >= threshold) shown = Math.floor(ratio * 100) / 100;
  }
  return new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(shown);
}
