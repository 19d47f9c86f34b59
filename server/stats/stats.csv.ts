import { BOM, csvLines as lines } from '../csv';
import type { Totals } from './stats.model';
import type { Formats } from './stats.present';
import type { Period } from './stats.period';
import type { ArticleLine } from './stats.service';

/**
 * CSV as French Excel opens it with a double click: UTF-8 with a byte order mark (otherwise
 * accents come out garbled), ';' between fields (',' is the decimal separator in France), CRLF
 * line ends; every text quoted and a formula hidden in a title defused (see ../csv).
 */
export function statsCsv(
  f: Pick<Formats, 't' | 'channelLabel'>,
  period: Period,
  data: { totals: Totals; previous: Totals; subscribers: number },
  articles: { rows: ArticleLine[]; socialChannels: string[] },
): string {
  const { t } = f;
  const { totals: n, previous: p } = data;
  const head = [
    t('Indicateur'),
    t('Du {from} au {to}', { from: period.from, to: period.to }),
    t('Du {from} au {to}', { from: period.previous.from, to: period.previous.to }),
  ];
  const figures: (string | number)[][] = [
    head,
    [t('Personnes atteintes'), n.reached, p.reached],
    [t('dont visiteurs du site'), n.reachedSite, p.reachedSite],
    [t('dont destinataires de la lettre'), n.reachedNewsletter, p.reachedNewsletter],
    [t('dont affichages sur les réseaux'), n.reachedSocial, p.reachedSocial],
    [t('Interactions'), n.interactions, p.interactions],
    [t('Ouvertures de la lettre (estimation)'), n.opens, p.opens],
    [t('Inscriptions à la lettre'), n.subscribes, p.subscribes],
    [t('Désabonnements'), n.unsubscribes, p.unsubscribes],
    [t('Évolution nette des abonnés'), n.growth, p.growth],
    [t('Abonnés aujourd’hui'), data.subscribers, ''],
  ];
  const social = articles.socialChannels;
  const table: (string | number)[][] = [
    [
      t('Article'),
      t('Site internet (vues)'),
      t('Lettre d’information (destinataires)'),
      ...social.map((ch) => t('{channel} (affichages)', { channel: f.channelLabel(ch) })),
      t('Interactions'),
      t('Portée totale'),
    ],
    ...articles.rows.map((a) => [
      a.article?.title ?? t('Article supprimé'),
      a.site,
      a.newsletter,
      ...social.map((ch) => (ch in a.social ? (a.social[ch] ?? t('non communiqué')) : 0)),
      a.interactions,
      a.reach,
    ]),
  ];
  return BOM + lines(figures, ';') + '\r\n' + lines(table, ';');
}
