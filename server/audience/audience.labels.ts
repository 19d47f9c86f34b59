import type { Translate } from '../i18n/i18n';
import type { FixedSource } from './audience.classify';

/** What each fixed source is called on the audience page (i18n keys). */
export const SOURCE_LABELS: Record<FixedSource, string> = {
  direct: 'Accès direct',
  internal: 'Navigation sur le site',
  search: 'Moteurs de recherche',
  newsletter: 'Lettre d’information',
  facebook: 'Facebook',
  mastodon: 'Mastodon',
  bluesky: 'Bluesky',
  x: 'X',
  instagram: 'Instagram',
  linkedin: 'LinkedIn',
  rss: 'Flux RSS',
  atom: 'Flux Atom',
  jsonfeed: 'Flux JSON Feed',
  ical: 'Agenda iCalendar',
  other: 'Autres sites',
};

/**
 * A source in words: a fixed one as SOURCE_LABELS says, a registered channel by its adapter's
 * label (a proper name, or words that t() translates), anything else (a channel this installation
 * no longer has) as other sites.
 */
export function sourceWords(t: Translate, source: string, channelLabel: (channel: string) => string | undefined): string {
  if (Object.hasOwn(SOURCE_LABELS, source)) return t(SOURCE_LABELS[source as FixedSource]);
  const label = channelLabel(source);
  return t(label ?? SOURCE_LABELS.other);
}

/**
 * Rows per source with those of a channel this installation no longer has counted as other
 * sites, in one row: the page would otherwise show "Autres sites" twice.
 */
export function foldUnnamedSources<R extends { source: string }>(
  rows: readonly R[],
  channelLabel: (channel: string) => string | undefined,
  add: (into: R, row: R) => void,
  extraNames: readonly string[] = [],
): R[] {
  const named = (source: string) => Object.hasOwn(SOURCE_LABELS, source) || extraNames.includes(source) || channelLabel(source) !== undefined;
  const out = new Map<string, R>();
  for (const row of rows) {
    const source = named(row.source) ? row.source : 'other';
    const kept = out.get(source);
    if (kept) add(kept, row);
    else out.set(source, { ...row, source });
  }
  return [...out.values()];
}
