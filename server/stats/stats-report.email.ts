import type { MailMessage } from '../mail/mailer';
import { escapeHtml } from '../http/html';
import type { Formats } from './stats.present';
import { compare } from './stats.present';
import type { Dashboard } from './stats.service';

/**
 * The monthly report as an e-mail: the same figures as the printable page, as text and as a
 * plain HTML table (mail software drops SVG, so the charts stay on the page it links to).
 */
export function monthlyReportEmail(p: {
  to: string;
  commune: string;
  monthLabel: string;
  report: Dashboard;
  reportUrl: string;
  optOutUrl: string;
  f: Formats;
}): MailMessage {
  const { f, report: r } = p;
  const t = f.t;
  const subject = t('Chiffres de {month} : la portée des informations de {commune}', { month: p.monthLabel, commune: p.commune });
  const lines: [string, number, number][] = [
    [t('Personnes atteintes'), r.totals.reached, r.previous.reached],
    [t('Interactions'), r.totals.interactions, r.previous.interactions],
    [t('Inscriptions à la lettre'), r.totals.subscribes, r.previous.subscribes],
    [t('Désabonnements'), r.totals.unsubscribes, r.previous.unsubscribes],
  ];
  const intro = t('Voici les chiffres de {month}, comparés au mois précédent.', { month: p.monthLabel });
  const subscribers = t('Abonnés à la lettre aujourd’hui : {n}.', { n: f.number(r.subscribers) });
  const topTitle = t('Les cinq articles qui ont atteint le plus de personnes');
  const top = r.top.map((a, i) => `${i + 1}. ${a.article?.title ?? t('Article supprimé')} — ${t('{n} personnes atteintes', { n: f.number(a.reach) })}`);
  const more = t('Le rapport complet, avec les graphiques, à imprimer ou enregistrer en PDF :');
  const stop = t('Vous ne souhaitez plus recevoir ce rapport ? Arrêtez-le depuis ce lien, sans vous connecter :');
  const text = [
    intro,
    '',
    ...lines.map(([label, v, prev]) => `${label} : ${f.number(v)} (${compare(v, prev, f).text})`),
    subscribers,
    '',
    topTitle,
    ...(top.length ? top : [t('Aucun article lu ce mois-ci.')]),
    '',
    more,
    p.reportUrl,
    '',
    stop,
    p.optOutUrl,
    '',
  ].join('\n');
  const html = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:Arial,sans-serif;color:#1a1a1a;line-height:1.5;max-width:640px;margin:0 auto;padding:16px">
<h1 style="font-size:22px">${escapeHtml(subject)}</h1>
<p>${escapeHtml(intro)}</p>
<table style="border-collapse:collapse;width:100%"><caption style="text-align:left;font-weight:bold">${escapeHtml(t('Les chiffres du mois'))}</caption>
<thead><tr><th scope="col" style="text-align:left;border-bottom:1px solid #666">${escapeHtml(t('Indicateur'))}</th><th scope="col" style="text-align:right;border-bottom:1px solid #666">${escapeHtml(p.monthLabel)}</th><th scope="col" style="text-align:left;border-bottom:1px solid #666;padding-left:12px">${escapeHtml(t('Comparaison'))}</th></tr></thead>
<tbody>${lines
    .map(
      ([label, v, prev]) =>
        `<tr><th scope="row" style="text-align:left;font-weight:normal">${escapeHtml(label)}</th><td style="text-align:right">${escapeHtml(f.number(v))}</td><td style="padding-left:12px">${escapeHtml(compare(v, prev, f).text)}</td></tr>`,
    )
    .join('')}</tbody></table>
<p>${escapeHtml(subscribers)}</p>
<h2 style="font-size:18px">${escapeHtml(topTitle)}</h2>
${top.length ? `<ol>${r.top.map((a) => `<li>${escapeHtml(a.article?.title ?? t('Article supprimé'))} — ${escapeHtml(t('{n} personnes atteintes', { n: f.number(a.reach) }))}</li>`).join('')}</ol>` : `<p>${escapeHtml(t('Aucun article lu ce mois-ci.'))}</p>`}
<p>${escapeHtml(more)}<br><a href="${escapeHtml(p.reportUrl)}">${escapeHtml(p.reportUrl)}</a></p>
<p style="font-size:14px;color:#444">${escapeHtml(stop)} <a href="${escapeHtml(p.optOutUrl)}" style="color:#1d4e89">${escapeHtml(p.optOutUrl)}</a></p>
</body></html>`;
  // One-click opt-out (RFC 8058), as for the newsletter: mail software offers its own button,
  // which POSTs to the same signed link as the page's.
  return { to: p.to, subject, text, html, headers: { 'List-Unsubscribe': `<${p.optOutUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } };
}
