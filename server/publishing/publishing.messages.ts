import type { Translate } from '../i18n/i18n';
import { FACEBOOK_MESSAGES } from './channels/facebook.messages';
import { MASTODON_MESSAGES } from './channels/mastodon.messages';
import { BLUESKY_MESSAGES } from './channels/bluesky.messages';
import { X_MESSAGES } from './channels/x.errors';
import { SOCIAL_MESSAGES } from './social.messages';

/**
 * What happened to a publication, stored as a code and its values and put into words only when
 * shown, in the reader's language: an English admin shows English errors. Adapters use the
 * shared network codes below; a code no catalogue knows is shown with its values, never lost.
 */
export interface ChannelMessage {
  code: string;
  values?: Record<string, string | number>;
  /** Set by the engine: another attempt is planned, or it gave up. */
  retry?: { attempts: number; max: number };
  gaveUpAfter?: number;
}

export const PUBLICATION_MESSAGES: Record<string, string> = {
  // The engine's own.
  'publication.stale':
    'L’heure prévue est passée depuis plusieurs heures sans que la publication parte (le serveur était peut-être arrêté) : confirmez l’envoi pour qu’elle parte maintenant, ou annulez-la.',
  'publication.no_adapter': 'Ce réseau n’est pas pris en charge par cette installation.',
  'publication.account_off': 'Ce compte est désactivé ou n’existe plus.',
  'publication.article_gone': 'L’article n’existe plus.',
  'publication.unexpected': 'Erreur inattendue lors de l’envoi ; elle a été enregistrée pour les administrateurs.',
  'publication.crash_uncertain':
    'Le serveur s’est arrêté pendant l’envoi : impossible de savoir si la publication est partie. Vérifiez sur le réseau, puis marquez-la comme envoyée ou renvoyez-la.',
  'publication.waiting_site_page': 'En attente de la page de l’article sur le site : la publication partira dès qu’elle sera en ligne.',
  'publication.text_too_long': 'Le texte est trop long pour {network} : {count} caractères pour {limit} au plus.',
  // Shared by the adapters.
  'network.timeout': 'Le réseau n’a pas répondu à temps.',
  'network.unavailable': 'Le réseau ne répond pas pour le moment (erreur {status}).',
  'network.unreachable': 'Le réseau est injoignable pour le moment.',
  'network.refused': 'Le réseau a refusé la publication (erreur {status}).',
  'network.rate_limited': 'Trop de publications envoyées à ce réseau : il faut attendre.',
  'account.reconnect':
    'Le compte {account} n’est plus autorisé à publier : un administrateur doit le reconnecter (page « Comptes des réseaux »). Les publications en attente partiront ensuite.',
  'account.expired':
    'L’accès du compte {account} a expiré : un administrateur doit le reconnecter (page « Comptes des réseaux »). Les publications en attente partiront ensuite.',
  'test.refused': 'Le réseau a refusé la publication (compte de test en échec permanent).',
  // Each network's own refusals, explained.
  ...MASTODON_MESSAGES,
  ...FACEBOOK_MESSAGES,
  ...BLUESKY_MESSAGES,
  ...X_MESSAGES,
  // Text, picture, hand-off, retraction.
  ...SOCIAL_MESSAGES,
};

/** Codes the engine's services write (named here so that no service spells one twice). */
export const CODES = {
  unreachable: 'network.unreachable',
  textTooLong: 'publication.text_too_long',
} as const;

// Sentences shown beside the reason, whole (never built from pieces).
export const RETRY_PLANNED = 'Nouvel essai prévu ({attempts}/{max}).';
export const GAVE_UP = 'Abandonnée après {attempts} tentatives.';

// A network's own wording in a value (Bluesky's `detail`) is cut here, never the stored JSON:
// cutting the JSON would lose the code itself.
const MAX_VALUE_LENGTH = 500;

/** The stored form: JSON of the code and values. Older rows hold a French sentence. */
export function encodeMessage(m: ChannelMessage | null): string | null {
  if (!m) return null;
  const values = Object.fromEntries(
    Object.entries(m.values ?? {}).map(([k, v]) => [k, typeof v === 'string' && v.length > MAX_VALUE_LENGTH ? `${v.slice(0, MAX_VALUE_LENGTH)}…` : v]),
  );
  return JSON.stringify({ ...m, code: m.code.slice(0, 100), ...(m.values ? { values } : {}) });
}

export function decodeMessage(stored: string | null | undefined): ChannelMessage | null {
  if (!stored) return null;
  if (stored.startsWith('{')) {
    try {
      const v = JSON.parse(stored) as ChannelMessage;
      if (typeof v.code === 'string') return { ...v, values: v.values ?? {} };
    } catch {
      // Not ours: shown as written below.
    }
  }
  return { code: 'legacy', values: { text: stored } };
}

/** The message in the reader's language. */
export function describeMessage(m: ChannelMessage | null, t: Translate): string {
  if (!m) return '';
  if (m.code === 'legacy') return t(String(m.values?.text ?? ''));
  const sentence = PUBLICATION_MESSAGES[m.code];
  const values = Object.entries(m.values ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const reason = sentence ? t(sentence, m.values ?? {}) : values ? `${m.code} (${values})` : m.code;
  if (m.retry) return `${reason} ${t(RETRY_PLANNED, m.retry)}`;
  if (m.gaveUpAfter) return `${reason} ${t(GAVE_UP, { attempts: m.gaveUpAfter })}`;
  return reason;
}
