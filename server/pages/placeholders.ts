import type { CommuneSettings } from '../settings/settings.defaults';

/**
 * {{placeholders}} in a page's Markdown, filled from the commune's settings when the page is shown:
 * the legal pages say the mayor's name, the host or the DPO from the settings, and change with
 * them. Any page may use them ("Téléphone : {{phone}}"). An unknown name stays as typed.
 */
export const PLACEHOLDERS = ['name', 'address', 'postalCode', 'city', 'phone', 'email', 'publicationDirector', 'dpoContact', 'host', 'siteUrl'] as const;

function values(s: CommuneSettings, siteUrl: string): Record<string, string> {
  return {
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
  };
}

/** A settings value inside Markdown: on one line, and unable to start a link, a tag or emphasis. */
function inline(value: string): string {
  return value.replace(/\s*\n\s*/g, ', ').replace(/([\\`*[\]<>])/g, '\\$1');
}

/**
 * `md` with its placeholders replaced. An empty setting shows `missing` in italics, so that a
 * gap in the legal notice is visible rather than silent.
 */
export function fillPlaceholders(md: string, settings: CommuneSettings, siteUrl: string, missing: string): string {
  const known = values(settings, siteUrl);
  return md.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, name: string) => {
    if (!Object.hasOwn(known, name)) return m;
    const v = (known[name] ?? '').trim();
    return v ? inline(v) : `*${missing}*`;
  });
}
