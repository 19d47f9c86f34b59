import type { CommuneSettings } from '../settings/settings.defaults';

export type AccessibilityStatus = CommuneSettings['accessibility']['status'];

/** Whole sentences per status (i18n keys): the home page and the statement say it this way. */
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

export interface AccessibilityContact {
  text: string;
  href: string | null; // mailto: or https: when the contact is an address
}

/** The déclaration d'accessibilité's facts, generated from the settings (RULES-FR.md). */
export interface AccessibilityStatement {
  communeName: string;
  siteUrl: string;
  status: AccessibilityStatus;
  rgaaVersion: string;
  auditDate: Date | null;
  nonCompliant: string[];
  contact: AccessibilityContact;
  postalAddress: string;
}

/** Where the Défenseur des droits can be reached (the statement's "voies de recours"). */
export const DEFENSEUR_DES_DROITS = {
  form: 'https://formulaire.defenseurdesdroits.fr/',
  delegates: 'https://www.defenseurdesdroits.fr/carte-des-delegues',
  address: 'Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07',
};

/** A "YYYY-MM-DD" setting as a date that reads as that same day in any European time zone. */
function parseDay(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12));
  return Number.isNaN(d.getTime()) ? null : d;
}

export function contactOf(value: string): AccessibilityContact {
  const v = value.trim();
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) return { text: v, href: `mailto:${v}` };
  if (/^https?:\/\/\S+$/i.test(v)) return { text: v, href: v };
  return { text: v, href: null };
}

export function accessibilityStatement(s: CommuneSettings, siteUrl: string): AccessibilityStatement {
  const a = s.accessibility;
  return {
    communeName: s.name,
    siteUrl,
    status: a.status,
    rgaaVersion: a.rgaaVersion.trim() || '4.1.2',
    auditDate: parseDay(a.auditDate),
    nonCompliant: a.nonCompliant
      .split(/\r?\n/)
      .map((l) => l.replace(/^[-*•]\s*/, '').trim())
      .filter(Boolean),
    contact: contactOf(a.contact || s.email),
    postalAddress: [s.address, [s.postalCode, s.city].filter(Boolean).join(' ')].filter(Boolean).join(', '),
  };
}
