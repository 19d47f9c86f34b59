import type { MailMessage } from '../../mail/mailer';
import { escapeHtml } from '../../http/html';
import type { Translate } from '../../i18n/i18n';
import { frenchSpacing, frenchSpacingHtml } from '../../i18n/typography';

function page(subject: string, paragraphs: string[], link?: { href: string; label: string }): string {
  const button = link
    ? `<p><a href="${escapeHtml(link.href)}" style="display:inline-block;background:#1d4e89;color:#ffffff;padding:12px 20px;border-radius:4px;text-decoration:none">${escapeHtml(link.label)}</a></p>`
    : '';
  const [first, ...rest] = paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`);
  return frenchSpacingHtml(`<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:Arial,sans-serif;color:#1a1a1a;line-height:1.5;max-width:600px;margin:0 auto;padding:16px">
${first ?? ''}
${button}
${rest.join('\n')}
${link ? `<p style="font-size:14px;color:#444">${escapeHtml(link.href)}</p>` : ''}
</body></html>`);
}

/** Sent to the NEW address: following its link (logged in as oneself) makes it the account's address. */
export function emailConfirmationEmail(p: { to: string; link: string; name: string; communeName: string; validForHours: number; t: Translate }): MailMessage {
  const { t } = p;
  const subject = t('Confirmez votre nouvelle adresse pour Crieur');
  const intro = t('{name}, vous avez demandé que cette adresse devienne celle de votre compte Crieur pour {commune}.', {
    name: p.name,
    commune: p.communeName,
  });
  const action = t('Confirmer cette adresse');
  const how = t('Le lien ouvre Crieur : connectez-vous si on vous le demande, puis confirmez.');
  const validity = t('Ce lien est valable {hours} heures et ne sert qu’une fois.', { hours: p.validForHours });
  const ignore = t('Si vous n’avez rien demandé, ignorez ce message : rien ne change.');
  const text = `${intro}\n\n${action} :\n${p.link}\n\n${how}\n${validity}\n${ignore}\n`;
  return { to: p.to, subject, text: frenchSpacing(text), html: page(subject, [intro, how, `${validity} ${ignore}`], { href: p.link, label: action }) };
}

/** Sent to the OLD address once the change is done: the owner learns of a change they did not make. */
export function emailChangedNotice(p: { to: string; newEmail: string; name: string; communeName: string; t: Translate }): MailMessage {
  const { t } = p;
  const subject = t('L’adresse de votre compte Crieur a changé');
  const intro = t('{name}, l’adresse de votre compte Crieur pour {commune} est désormais {email}. Les prochains messages de Crieur iront à cette adresse.', {
    name: p.name,
    commune: p.communeName,
    email: p.newEmail,
  });
  const warn = t('Si vous n’avez pas fait ce changement, prévenez tout de suite un administrateur de Crieur ou la mairie.');
  return { to: p.to, subject, text: frenchSpacing(`${intro}\n\n${warn}\n`), html: page(subject, [intro, warn]) };
}
