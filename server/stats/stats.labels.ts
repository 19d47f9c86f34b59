import { sourceWords } from '../audience/audience.labels';
import type { Translate } from '../i18n/i18n';

/**
 * The words of the figures pages. Every label is a literal translator call so that the i18n test
 * sees it; the service speaks in codes (kind, source), these functions put them into words. A
 * channel's name is its adapter's label (StatsChannels.label).
 */
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

/**
 * Where the audience measurement says a reader came from, named as on the audience page
 * (sourceWords): a network the installation registered by its adapter's label. `social`: the demo
 * history's visits from the networks, not told apart.
 */
export function sourceLabel(t: Translate, source: string, networkLabel: (channel: string) => string | undefined): string {
  if (source === 'social') return t('Réseaux sociaux');
  return sourceWords(t, source, networkLabel);
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
