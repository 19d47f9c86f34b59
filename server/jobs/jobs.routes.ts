import { Router } from 'express';
import type { Container } from '../container';
import { requirePermission } from '../auth/auth.middleware';
import { pageFrom, pager } from '../http/pagination';
import { renderPage } from '../http/render';
import { str } from '../http/validate';
import { describeRunDetail, JOB_LABELS, jobLabel } from './job-labels';

/** What these routes use of the container, and nothing else. */
type Deps = Pick<Container, 'config' | 'jobsRepo'>;

/** Administrators see when each job ran, how long it took and what it did. */
export function jobsRoutes(c: Deps): Router {
  const router = Router();
  router.get('/', requirePermission('jobs.read'), async (req, res) => {
    const page = pageFrom(req.query, 50);
    const name = str(req.query.name)?.slice(0, 64) || undefined;
    const { rows, total } = await c.jobsRepo.runs({ name, limit: page.limit, offset: page.offset });
    const { t } = res.locals;
    await renderPage(res, 'admin/jobs/index', {
      title: t('Tâches planifiées'),
      // An error's detail is its message; a success's is the job's JSON summary, put in words.
      runs: rows.map((r) => ({ ...r, label: jobLabel(r.name, t), summary: r.outcome === 'ok' ? describeRunDetail(r.name, r.detail, t) : (r.detail ?? '') })),
      pager: pager(page, total),
      query: name ? { name } : {},
      name,
      // Named from the labels, in the same order as jobs/index.ts (a test keeps them equal):
      // server/ does not import jobs/, only the entry points do.
      jobs: Object.keys(JOB_LABELS).map((name) => ({ name, label: jobLabel(name, t) })),
      enabled: c.config.jobs.enabled,
    });
  });
  return router;
}
