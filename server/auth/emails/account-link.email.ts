import type { MailMessage } from '../../mail/mailer';
import { escapeHtml } from '../../http/html';
import type { Translate } from '../../i18n/i18n';
import { frenchSpacing, frenchSpacingHtml } from '../../i18n/typography';
import type { Role } from '../permissions';

/**
 * What the invitation says the person will be able to do, one whole sentence per role: an elected
 * member is asked to review and approve, never told they will publish.
 */
const INVITE_INTRO: Record<Role, string> = {
  admin:
    '{inviter} vous invite à administrer Crieur pour {commune}, avec le rôle « Administrateur » : vous pourrez gérer les comptes, les paramètres et les réseaux de la commune, et rédiger et publier ses informations.',
  editor:
    '{inviter} vous invite à publier les informations de {commune} avec Crieur, avec le rôle « Chargé de communication » : vous pourrez les rédiger et les diffuser sur le site, dans la lettre d’information et sur les réseaux.',
  elected:
    '{inviter} vous invite à suivre les informations de {commune} dans Crieur, avec le rôle « Élu » : vous pourrez relire et approuver les articles avant leur publication, et voir leur audience. Vous ne publierez rien vous-même.',
};
/** Said to those who write when nothing goes out before an elected member approves it. */
const UNDER_APPROVAL = 'La commune demande qu’un élu approuve ce qui est publié : vos articles partiront une fois approuvés par un élu ou un administrateur.';
export const INVITE_INTRO_KEYS = [...Object.values(INVITE_INTRO), UNDER_APPROVAL];

/**
 * The invitation and the password-reset e-mails: both carry one link that sets a password.
 * Plain text first (some town-hall mail software shows only that), and a simple accessible HTML part.
 */
export function accountLinkEmail(p: {
  purpose: 'invite' | 'reset';
  to: string;
  link: string;
  communeName: string;
  inviterName?: string;
  validForHours: number;
  /** The role given by the invitation, named in it with what it allows. */
  role?: Role;
  /** The commune requires an approval before anything goes out: an editor is told so. */
  approvalRequired?: boolean;
  t: Translate;
}): MailMessage {
  const { t } = p;
  const subject =
    p.purpose === 'invite' ? t('Votre accès à Crieur pour {commune}', { commune: p.communeName }) : t('Choisir un nouveau mot de passe pour Crieur');
  const intro =
    p.purpose === 'invite'
      ? t(INVITE_INTRO[p.role ?? 'editor'], { inviter: p.inviterName ?? t('Un administrateur'), commune: p.communeName })
      : t('Quelqu’un, sans doute vous, a demandé un nouveau mot de passe pour votre compte Crieur.');
  const approval = p.purpose === 'invite' && p.approvalRequired && (p.role ?? 'editor') === 'editor' ? ` ${t(UNDER_APPROVAL)}` : '';
  const action = p.purpose === 'invite' ? t('Choisir mon mot de passe') : t('Choisir un nouveau mot de passe');
  const validity = t('Ce lien est valable {hours} heures et ne sert qu’une fois.', { hours: p.validForHours });
  const ignore =
    p.purpose === 'invite'
      ? t('Si vous ne vous attendiez pas à cette invitation, ignorez ce message.')
      : t('Si vous n’avez rien demandé, ignorez ce message : votre mot de passe reste le même.');
  const text = frenchSpacing(`${intro}${approval}\n\n${action} :\n${p.link}\n\n${validity}\n${ignore}\n`);
  const html = frenchSpacingHtml(`<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:Arial,sans-serif;color:#1a1a1a;line-height:1.5;max-width:600px;margin:0 auto;padding:16px">
<p>${escapeHtml(intro + approval)}</p>
<p><a href="${escapeHtml(p.link)}" style="display:inline-block;background:#1d4e89;color:#ffffff;padding:12px 20px;border-radius:4px;text-decoration:none">${escapeHtml(action)}</a></p>
<p>${escapeHtml(validity)}<br>${escapeHtml(ignore)}</p>
<p style="font-size:14px;color:#444">${escapeHtml(p.link)}</p>
</body></html>`);
  return { to: p.to, subject, text, html };
}
