import fs from 'node:fs';
import path from 'node:path';

/**
 * Whole French sentences are the keys, with named variables: t('Bonjour {name}.', { name }).
 * French is the default locale and needs no catalogue; English catalogues live in
 * server/i18n/en/*.json, one file per domain so that each domain owns its strings.
 */
export type Locale = 'fr' | 'en';
export const LOCALES: readonly Locale[] = ['fr', 'en'];
export type Vars = Record<string, string | number | null | undefined>;
export type Translate = (key: string, vars?: Vars) => string;

const catalogues: Record<Locale, Map<string, string>> = { fr: new Map(), en: loadCatalogue('en') };

function loadCatalogue(locale: Locale): Map<string, string> {
  const dir = path.join(__dirname, locale);
  const map = new Map<string, string>();
  if (!fs.existsSync(dir)) return map;
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const entries = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, string>;
    for (const [k, v] of Object.entries(entries)) map.set(k, v);
  }
  return map;
}

export function interpolate(template: string, vars?: Vars): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => {
    const v = vars[name];
    return v === undefined || v === null ? m : String(v);
  });
}

export function translator(locale: Locale): Translate {
  const catalogue = catalogues[locale];
  return (key, vars) => interpolate(catalogue.get(key) ?? key, vars);
}

export function isLocale(v: unknown): v is Locale {
  return v === 'fr' || v === 'en';
}

/** Keys that have no English translation: used by a test so that none is forgotten. */
export function missingTranslations(keys: Iterable<string>): string[] {
  const en = catalogues.en;
  return [...keys].filter((k) => !en.has(k));
}

export const DATE_LOCALE: Record<Locale, string> = { fr: 'fr-FR', en: 'en-GB' };
