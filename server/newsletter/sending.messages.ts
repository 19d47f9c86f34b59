import type { Translate } from '../i18n/i18n';
import type { SendProgress } from './campaign-sender';
import type { SendReason } from './deliveries.repository';

/** Why a campaign paused, and what a delivery's error code means, in the reader's language. */
export const SENDING_MESSAGES: Record<string, string> = {
  'sending.paused_by': 'Mise en pause par {name}.',
  'sending.too_many_errors':
    'Envoi suspendu automatiquement après {count} erreurs d’affilée (dernière réponse du serveur : {error}). Vérifiez le serveur d’envoi (SMTP_URL, identifiants, quota), puis reprenez l’envoi.',
};

export const STATE_LABELS: Record<SendProgress['state'], string> = {
  sending: 'Envoi en cours',
  paused: 'En pause',
  done: 'Envoi terminé',
};

export function reasonText(t: Translate, reason: SendReason | null): string {
  if (!reason) return '';
  const key = SENDING_MESSAGES[reason.code];
  return key ? t(key, reason.values ?? {}) : `${reason.code} ${JSON.stringify(reason.values ?? {})}`;
}

/** "2 h 05 min", "4 min", "moins d’une minute"; null when unknown. */
export function timeLeftText(t: Translate, seconds: number | null): string {
  if (seconds === null) return t('Inconnu pour le moment.');
  if (seconds < 60) return t('Moins d’une minute.');
  const minutes = Math.ceil(seconds / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h ? t('Environ {h} h {m} min.', { h, m: String(m).padStart(2, '0') }) : t('Environ {m} min.', { m });
}

/** What the page and its polling script show (the same words in both). */
export function progressView(t: Translate, p: SendProgress) {
  return {
    state: p.state,
    stateLabel: t(STATE_LABELS[p.state]),
    total: p.counts.total,
    sent: p.sent,
    remaining: p.remaining,
    failed: p.failed,
    unknown: p.counts.unknown,
    skipped: p.counts.skipped,
    bounced: p.counts.bounced,
    complaints: p.counts.complaints,
    unsubscribes: p.counts.unsubscribes,
    percent: p.percent,
    timeLeft: p.state === 'sending' ? timeLeftText(t, p.secondsLeft) : '',
    reason: reasonText(t, p.pausedReason),
    waiting:
      p.waitingFor === 'window'
        ? t('En dehors de la plage d’envoi des paramètres : l’envoi reprend à son ouverture.')
        : p.waitingFor === 'cap'
          ? t('Plafond horaire atteint : l’envoi reprend dans l’heure.')
          : '',
  };
}
