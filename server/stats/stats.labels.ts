import type { Translate } from '../i18n/i18n';

/**
 * The words of the figures pages. Every label is a literal translator call so that the i18n test
 * sees it; the service speaks in codes (channel, kind), these functions put them into words.
 */
export function channelLabel(t: Translate, channel: string): string {
  switch (channel) {
    case 'site':
      return t('Site internet');
    case 'newsletter':
      return t('Lettre d’information');
    case 'facebook':
      return t('Facebook');
    case 'mastodon':
      return t('Mastodon');
    case 'bluesky':
      return t('Bluesky');
    case 'x':
      return t('X');
    case 'handoff':
      return t('Publications faites à la main');
    default:
      return channel;
  }
}

export function kindLabel(t: Translate, kind: string): string {
  switch (kind) {
    case 'view':
      return t('Vues');
    case 'visitor':
      return t('Visiteurs');
    case 'delivery':
      return t('Lettres remises');
    case 'article_delivery':
      return t('Destinataires');
    case 'open':
      return t('Ouvertures (estimation)');
    case 'click':
      return t('Clics');
    case 'impression':
      return t('Affichages');
    case 'reaction':
      return t('Réactions');
    case 'share':
      return t('Partages');
    case 'reply':
      return t('Réponses');
    case 'quote':
      return t('Citations');
    case 'interactions':
      return t('Interactions');
    case 'bounce':
      return t('Adresses en erreur');
    case 'complaint':
      return t('Signalements comme indésirable');
    case 'unsubscribe':
      return t('Désabonnements');
    case 'subscribe':
      return t('Inscriptions');
    default:
      return kind;
  }
}

export function sourceLabel(t: Translate, source: string): string {
  switch (source) {
    case 'direct':
      return t('Accès direct');
    case 'search':
      return t('Moteurs de recherche');
    case 'social':
      return t('Réseaux sociaux');
    case 'internal':
      return t('Navigation sur le site');
    // Visitors sent by the letter or a network: named as the channel is.
    case 'newsletter':
    case 'facebook':
    case 'mastodon':
    case 'bluesky':
    case 'x':
      return channelLabel(t, source);
    case 'instagram':
      return t('Instagram');
    case 'linkedin':
      return t('LinkedIn');
    // Each feed names itself in its links (ref=), so that the mayor sees which one residents follow.
    case 'rss':
      return t('Flux RSS');
    case 'atom':
      return t('Flux Atom');
    case 'jsonfeed':
      return t('Flux JSON Feed');
    case 'ical':
      return t('Agenda iCalendar');
    default:
      return t('Autres sites');
  }
}

export function periodLabel(t: Translate, kind: string): string {
  switch (kind) {
    case '7j':
      return t('7 derniers jours');
    case '30j':
      return t('30 derniers jours');
    case 'mois':
      return t('Ce mois-ci');
    case 'mois-precedent':
      return t('Le mois dernier');
    case 'annee':
      return t('12 derniers mois');
    default:
      return t('Dates choisies');
  }
}
