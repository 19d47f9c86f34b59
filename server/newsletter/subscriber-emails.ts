import type { MailMessage } from '../mail/mailer';
import { escapeHtml } from '../http/html';
import type { Translate } from '../i18n/i18n';

/**
 * The e-mails of the subscription itself (not the campaigns): confirm a request, "you are already
 * subscribed", and the re-consent question after 3 years. Plain text first, and a small
 * accessible HTML part (lang, one heading, a real link as the button).
 */
interface Common {
  to: string;
  commune: string;
  t: Translate;
}

function html(subject: string, paragraphs: string[], action: { label: string; link: string }, footer: string[]): string {
  const p = (s: string) => `<p>${escapeHtml(s)}</p>`;
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:Arial,sans-serif;color:#1a1a1a;line-height:1.5;max-width:600px;margin:0 auto;padding:16px">
<h1 style="font-size:22px">${escapeHtml(subject)}</h1>
${paragraphs.map(p).join('\n')}
<p><a href="${escapeHtml(action.link)}" style="display:inline-block;background:#1d4e89;color:#ffffff;padding:12px 20px;border-radius:4px;text-decoration:none">${escapeHtml(action.label)}</a></p>
<p style="font-size:14px;color:#444">${escapeHtml(action.link)}</p>
${footer.map((f) => `<p style="font-size:14px;color:#444">${escapeHtml(f)}</p>`).join('\n')}
</body></html>`;
}

/** Double opt-in: nothing is sent to the address until its owner follows this link. */
export function confirmationEmail(p: Common & { link: string }): MailMessage {
  const { t } = p;
  const subject = t('Confirmez votre inscription à la lettre de {commune}', { commune: p.commune });
  const intro = t('Quelqu’un, sans doute vous, a demandé à recevoir la lettre d’information de {commune} à cette adresse.', { commune: p.commune });
  const action = t('Confirmer mon inscription');
  const ignore = t('Si vous n’avez rien demandé, ignorez ce message : vous ne recevrez rien, et la demande sera effacée dans 7 jours.');
  return {
    to: p.to,
    subject,
    text: `${intro}\n\n${action} :\n${p.link}\n\n${ignore}\n`,
    html: html(subject, [intro], { label: action, link: p.link }, [ignore]),
  };
}

/** Someone asked again for an address already subscribed: its owner gets their own page. */
export function alreadySubscribedEmail(p: Common & { manageLink: string }): MailMessage {
  const { t } = p;
  const subject = t('Vous êtes déjà abonné à la lettre de {commune}', { commune: p.commune });
  const intro = t('Une nouvelle demande d’inscription à la lettre de {commune} a été faite avec cette adresse, qui est déjà abonnée : rien n’a changé.', {
    commune: p.commune,
  });
  const action = t('Gérer mon abonnement');
  const ignore = t('Si ce n’était pas vous, ignorez ce message.');
  return {
    to: p.to,
    subject,
    text: `${intro}\n\n${action} :\n${p.manageLink}\n\n${ignore}\n`,
    html: html(subject, [intro], { label: action, link: p.manageLink }, [ignore]),
  };
}

/**
 * After 3 years without a click or a topic change (RULES-FR): one question, with the one-click
 * unsubscribe headers of every newsletter e-mail. Without an answer in 30 days, the subscriber is
 * deleted.
 */
export function reconsentEmail(p: Common & { link: string; unsubscribeLink: string }): MailMessage {
  const { t } = p;
  const subject = t('Souhaitez-vous continuer à recevoir la lettre de {commune} ?', { commune: p.commune });
  const intro = t('Vous êtes abonné à la lettre d’information de {commune} depuis longtemps, sans l’avoir utilisée depuis trois ans.', {
    commune: p.commune,
  });
  const ask = t('Pour continuer à la recevoir, confirmez-le avec le bouton ci-dessous dans les 30 jours. Sans réponse, votre adresse sera effacée.');
  const action = t('Continuer à recevoir la lettre');
  const unsubscribe = t('Pour vous désabonner tout de suite : {link}', { link: p.unsubscribeLink });
  return {
    to: p.to,
    subject,
    text: `${intro}\n${ask}\n\n${action} :\n${p.link}\n\n${unsubscribe}\n`,
    html: html(subject, [intro, ask], { label: action, link: p.link }, [unsubscribe]),
    headers: { 'List-Unsubscribe': `<${p.unsubscribeLink}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  };
}
