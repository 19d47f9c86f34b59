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
};
