import { Router, type Request } from 'express';
import type { Container } from '../container';
import { requirePermission } from '../auth/auth.middleware';
import { DomainError } from '../http/errors';
import { pageFrom, pager } from '../http/pagination';
import { renderPage } from '../http/render';
import { str } from '../http/validate';
import { describeDetails } from './audit.details';
import { ACTION_LABELS, SYSTEM_ACTORS, TARGET_LABELS } from './audit.labels';
import type { AuditEntry } from './audit.repository';

/** What these routes use of the container, and nothing else. */
type Deps = Pick<Container, 'accounts' | 'audit' | 'users'>;

const PER_PAGE = 50;

const ACTION_RE = /^[a-z_]+\.[a-z_]+$/;

function filtersFrom(req: Request): { action?: string; actorId?: number } {
  const action = str(req.query.action);
  const actor = str(req.query.actor);
  const actorId = actor && /^\d{1,9}$/.test(actor) ? Number(actor) : undefined;
  return { action: action && ACTION_RE.test(action) ? action : undefined, actorId };
}

/** Read-only: the audit log has no route that edits or deletes an entry, by design. */
export function auditRoutes(c: Deps): Router {
  const router = Router();

  router.get('/', requirePermission('audit.read'), async (req, res) => {
    const page = pageFrom(req.query, PER_PAGE);
    const filters = filtersFrom(req);
    const [{ rows, total }, actions, people, accounts] = await Promise.all([
      c.audit.list({ ...filters, limit: page.limit, offset: page.offset }),
      c.audit.distinctActions(),
      c.users.list({ limit: 500, offset: 0 }),
      c.accounts.list(),
    ]);
    const { t, locale, fmtDateTime } = res.locals;
    const actionLabel = (a: string) => (ACTION_LABELS[a] ? t(ACTION_LABELS[a]) : a);
    const detailContext = { t, locale, fmtDateTime, accountLabel: (id: number) => accounts.find((a) => a.id === id)?.label };
    const query: Record<string, string> = {};
    if (filters.action) query.action = filters.action;
    if (filters.actorId) query.actor = String(filters.actorId);
    await renderPage(res, 'admin/audit/index', {
      title: t('Journal des actions'),
      entries: rows.map((e) => ({ ...e, ...describeDetails(e, detailContext) })),
      // By label, as people look for them; a future action without a label keeps its name.
      actions: actions.map((a) => ({ value: a, label: actionLabel(a) })).sort((a, b) => a.label.localeCompare(b.label, locale)),
      people: people.rows,
      filters,
      pager: pager(page, total),
      query,
      targetLabel: (type: string) => (TARGET_LABELS[type] ? t(TARGET_LABELS[type]) : type),
      actionLabel,
      actorName: (e: Pick<AuditEntry, 'actorId' | 'actorLabel'>) =>
        e.actorId === null && SYSTEM_ACTORS.includes(e.actorLabel) ? t(e.actorLabel) : e.actorLabel,
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
