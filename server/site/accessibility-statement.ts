import type { CommuneSettings } from '../settings/settings.defaults';

export type AccessibilityStatus = CommuneSettings['accessibility']['status'];

/** Whole sentences per status (i18n keys): the home page says it this way. */
export const STATUS_SENTENCE: Record<AccessibilityStatus, string> = {
  totalement: 'Ce site est totalement conforme au référentiel général d’amélioration de l’accessibilité (RGAA).',
  partiellement: 'Ce site est partiellement conforme au référentiel général d’amélioration de l’accessibilité (RGAA).',
  non: 'Ce site n’est pas conforme au référentiel général d’amélioration de l’accessibilité (RGAA).',
};

/** The statement's compliance sentence, with the site address and RGAA version as variables. */
export const STATUS_DECLARATION: Record<AccessibilityStatus, string> = {
  totalement: 'Le site {site} est totalement conforme au référentiel général d’amélioration de l’accessibilité (RGAA), version {version}.',
  partiellement:
    'Le site {site} est partiellement conforme au référentiel général d’amélioration de l’accessibilité (RGAA), version {version}, en raison des non-conformités énumérées ci-dessous.',
  non: 'Le site {site} n’est pas conforme au référentiel général d’amélioration de l’accessibilité (RGAA), version {version}.',
};

/** A "YYYY-MM-DD" setting as "12 juin 2026", or '' when it is not a date. */
function frenchDay(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!m) return '';
  // Noon UTC: the same day in any European time zone.
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12));
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d);
}

/**
 * The déclaration d'accessibilité's facts from the settings (RULES-FR.md), as the
 * {{placeholders}} of its page (content/pages/accessibilite.md) read them. French, like the page.
 * `nonCompliant` is a list: one line of the setting per item.
 */
export function accessibilityFacts(s: CommuneSettings, siteUrl: string): { inline: Record<string, string>; nonCompliant: string[] } {
  const a = s.accessibility;
  const fill = (sentence: string, vars: Record<string, string>) => sentence.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
  const day = frenchDay(a.auditDate);
  return {
    inline: {
      accessibilityCompliance: fill(STATUS_DECLARATION[a.status], { site: siteUrl, version: a.rgaaVersion.trim() || '4.1.2' }),
      accessibilityStatus: { totalement: 'totalement conforme', partiellement: 'partiellement conforme', non: 'non conforme' }[a.status],
      accessibilityAudit: day ? `L’audit de conformité a été réalisé le ${day}.` : 'Aucun audit de conformité n’a encore été réalisé.',
      accessibilityAuditDate: day,
      accessibilityContact: (a.contact || s.email).trim(),
      rgaaVersion: a.rgaaVersion.trim() || '4.1.2',
    },
    nonCompliant: a.nonCompliant
      .split(/\r?\n/)
      .map((l) => l.replace(/^[-*•]\s*/, '').trim())
      .filter(Boolean),
  };
}
