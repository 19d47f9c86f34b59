import type { CommuneSettings } from '../settings/settings.defaults';
import { accessibilityFacts } from '../site/accessibility-statement';

/**
 * {{placeholders}} in a page's Markdown, filled from the commune's settings when the page is shown:
 * the legal pages say the mayor's name, the host, the DPO or the accessibility status from the
 * settings, and change with them. Any page may use them ("Téléphone : {{phone}}"). An unknown
 * name stays as typed.
 */
export const PLACEHOLDERS = [
  'name',
  'address',
  'postalCode',
  'city',
  'phone',
  'email',
  'publicationDirector',
  'dpoContact',
  'host',
  'siteUrl',
  'accessibilityStatus',
  'accessibilityCompliance',
  'accessibilityAudit',
  'accessibilityAuditDate',
  'accessibilityNonCompliant',
  'accessibilityContact',
  'rgaaVersion',
] as const;

/** Said when the list of content not accessible is empty: an empty list is a fact, not a gap. */
const NOTHING_NOT_ACCESSIBLE = 'Aucun contenu non accessible n’a été signalé.';

function values(s: CommuneSettings, siteUrl: string): { inline: Record<string, string>; lists: Record<string, string[]> } {
  const a11y = accessibilityFacts(s, siteUrl);
  return {
    inline: {
      name: s.name,
      address: s.address,
      postalCode: s.postalCode,
      city: s.city,
      phone: s.phone,
      email: s.email,
      publicationDirector: s.publicationDirector,
      dpoContact: s.dpoContact,
      host: s.host,
      siteUrl,
      ...a11y.inline,
    },
    lists: { accessibilityNonCompliant: a11y.nonCompliant },
  };
}

/** A settings value inside Markdown: on one line, and unable to start a link, a tag or emphasis. */
function inline(value: string): string {
  return value.replace(/\s*\n\s*/g, ', ').replace(/([\\`*[\]<>])/g, '\\$1');
}

/**
 * `md` with its placeholders replaced. An empty setting shows `missing` in italics, so that a
 * gap in the legal notice is visible rather than silent. A list (the content not accessible) alone
 * on its line becomes a Markdown list; inside a sentence, its items joined by semicolons.
 */
export function fillPlaceholders(md: string, settings: CommuneSettings, siteUrl: string, missing: string): string {
  const known = values(settings, siteUrl);
  const listed = md.replace(/^[ \t]*\{\{\s*(\w+)\s*\}\}[ \t]*$/gm, (m, name: string) => {
    const items = Object.hasOwn(known.lists, name) ? known.lists[name] : undefined;
    if (!items) return m;
    return items.length ? items.map((i) => `- ${inline(i)}`).join('\n') : NOTHING_NOT_ACCESSIBLE;
  });
  return listed.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, name: string) => {
    if (Object.hasOwn(known.lists, name)) {
      const items = known.lists[name] ?? [];
      return items.length ? items.map(inline).join(' ; ') : NOTHING_NOT_ACCESSIBLE;
    }
    if (!Object.hasOwn(known.inline, name)) return m;
    const v = (known.inline[name] ?? '').trim();
    return v ? inline(v) : `*${missing}*`;
  });
}
