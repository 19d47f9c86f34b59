import { Router, type Request } from 'express';
import type { Container } from '../container';
import { requirePermission } from '../auth/auth.middleware';
import { DomainError } from '../http/errors';
import { pageFrom, pager } from '../http/pagination';
import { renderPage } from '../http/render';
import { str } from '../http/validate';

const PER_PAGE = 50;

/**
 * A French label (an i18n key) per action recorded in the audit log. Actions missing here are
 * shown as recorded, so a new action is never hidden; other domains add theirs to this table.
 */
export const ACTION_LABELS: Record<string, string> = {
  'auth.login': 'Connexion',
  'auth.login_failed': 'Échec de connexion',
  'auth.logout': 'Déconnexion',
  'user.created': 'Compte créé',
  'user.invited': 'Personne invitée',
  'user.invitation_resent': 'Invitation renvoyée',
  'user.invitation_accepted': 'Invitation acceptée',
  'user.password_changed': 'Mot de passe changé',
  'user.password_reset_requested': 'Nouveau mot de passe demandé',
  'user.password_reset': 'Mot de passe remplacé',
  'user.role_changed': 'Rôle changé',
  'user.disabled': 'Compte désactivé',
  'user.enabled': 'Compte réactivé',
  'settings.updated': 'Paramètres modifiés',
  'article.created': 'Article créé',
  'article.updated': 'Article modifié',
  'article.submitted': 'Article soumis à l’approbation',
  'article.approved': 'Article approuvé',
  'article.published': 'Article publié',
  'article.unpublished': 'Article dépublié',
  'article.archived': 'Article archivé',
  'article.deleted': 'Article supprimé',
  'media.uploaded': 'Image ajoutée',
  'media.updated': 'Image modifiée',
  'media.deleted': 'Image supprimée',
};

/** What an entry is about (its target type), as people call it; unknown types are shown raw. */
export const TARGET_LABELS: Record<string, string> = {
  user: 'Compte',
  settings: 'Paramètres',
  article: 'Article',
  media: 'Image',
  publication: 'Publication',
};

/** Actors recorded without an account; their labels are i18n keys. */
export const SYSTEM_ACTORS = ['système', 'ligne de commande', 'anonyme', 'inconnu'];

const ACTION_RE = /^[a-z_]+\.[a-z_]+$/;

function filtersFrom(req: Request): { action?: string; actorId?: number } {
  const action = str(req.query.action);
  const actor = str(req.query.actor);
  const actorId = actor && /^\d{1,9}$/.test(actor) ? Number(actor) : undefined;
  return { action: action && ACTION_RE.test(action) ? action : undefined, actorId };
}

/** Read-only: the audit log has no route that edits or deletes an entry, by design. */
export function auditRoutes(c: Container): Router {
  const router = Router();

  router.get('/', requirePermission('audit.read'), async (req, res) => {
    const page = pageFrom(req.query, PER_PAGE);
    const filters = filtersFrom(req);
    const [{ rows, total }, actions, people] = await Promise.all([
      c.audit.list({ ...filters, limit: page.limit, offset: page.offset }),
      c.audit.distinctActions(),
      c.users.list({ limit: 500, offset: 0 }),
    ]);
    const query: Record<string, string> = {};
    if (filters.action) query.action = filters.action;
    if (filters.actorId) query.actor = String(filters.actorId);
    await renderPage(res, 'admin/audit/index', {
      title: res.locals.t('Journal des actions'),
      entries: rows,
      actions,
      people: people.rows,
      filters,
      pager: pager(page, total),
      query,
      targetLabel: (type: string) => (TARGET_LABELS[type] ? res.locals.t(TARGET_LABELS[type]) : type),
      actionLabel: (a: string) => (ACTION_LABELS[a] ? res.locals.t(ACTION_LABELS[a]) : a),
      actorName: (e: { actorId: number | null; actorLabel: string }) =>
        e.actorId === null && SYSTEM_ACTORS.includes(e.actorLabel) ? res.locals.t(e.actorLabel) : e.actorLabel,
    });
  });

  // Say so plainly rather than a bare 404 to anyone who tries to change the trail.
  router.use((req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    res.set('Allow', 'GET, HEAD');
    next(new DomainError('Le journal des actions ne peut être ni modifié ni effacé.', 405));
  });

  return router;
}
