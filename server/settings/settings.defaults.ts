/** What a commune configures once. Every page and e-mail reads these. */
export interface CommuneSettings {
  name: string; // "Saint-Crieur-sur-Loire"
  address: string;
  postalCode: string;
  city: string;
  phone: string;
  email: string;
  publicationDirector: string; // directeur de la publication (the mayor), LCEN art. 6
  dpoContact: string; // délégué à la protection des données, GDPR art. 37
  host: string; // hébergeur: name, address, phone
  logoMediaId: number | null;
  colors: { primary: string; onPrimary: string; accent: string; onAccent: string };
  social: { facebook: string; mastodon: string; bluesky: string; x: string; instagram: string; linkedin: string };
  requireApproval: boolean; // publication waits for an elected or admin approval
  accessibility: { status: 'totalement' | 'partiellement' | 'non'; auditDate: string; rgaaVersion: string; nonCompliant: string; contact: string };
  /** Months the raw statistics (engagement events) are kept; daily totals stay (CNIL: 25 at most). */
  statsRetentionMonths: number;
}

export const DEFAULT_SETTINGS: CommuneSettings = {
  name: 'Ma commune',
  address: '1 place de la Mairie',
  postalCode: '00000',
  city: 'Ma commune',
  phone: '',
  email: '',
  publicationDirector: '',
  dpoContact: '',
  host: '',
  logoMediaId: null,
  colors: { primary: '#1d4e89', onPrimary: '#ffffff', accent: '#f2c14e', onAccent: '#1a1a1a' },
  social: { facebook: '', mastodon: '', bluesky: '', x: '', instagram: '', linkedin: '' },
  requireApproval: false,
  accessibility: { status: 'non', auditDate: '', rgaaVersion: '4.1.2', nonCompliant: '', contact: '' },
  statsRetentionMonths: 25,
};

/**
 * The newsletter's schedule and sending limits (stored apart from the commune's identity, under
 * its own key, and edited on its own page). Times are wall-clock times in Europe/Paris.
 */
export interface NewsletterSettings {
  /** Day of the digest: 0 Sunday … 6 Saturday. */
  digestDay: number;
  /** "HH:MM". */
  digestTime: string;
  /** Campaigns send only between these times ("HH:MM"); outside, they wait. */
  windowStart: string;
  windowEnd: string;
  /** Messages an hour at most (the relay's or provider's limit). */
  hourlyCap: number;
  /** The From name; empty: the commune's name. */
  senderName: string;
  /** The From address; empty: SMTP_FROM. */
  senderEmail: string;
}

export const DEFAULT_NEWSLETTER_SETTINGS: NewsletterSettings = {
  digestDay: 5,
  digestTime: '10:00',
  windowStart: '08:00',
  windowEnd: '20:00',
  hourlyCap: 10_000,
  senderName: '',
  senderEmail: '',
};
