import { Router } from 'express';
import type { Container } from '../container';
import { requirePermission } from '../auth/auth.middleware';
import { pageFrom, pager } from '../http/pagination';
import { renderPage } from '../http/render';
import { str } from '../http/validate';
import { ALL_JOBS } from '../../jobs';

/** Administrators see when each job ran, how long it took and what it did. */
export function jobsRoutes(c: Container): Router {
  const router = Router();
  router.get('/', requirePermission('jobs.read'), async (req, res) => {
    const page = pageFrom(req.query, 50);
    const name = str(req.query.name)?.slice(0, 64) || undefined;
    const { rows, total } = await c.jobsRepo.runs({ name, limit: page.limit, offset: page.offset });
    await renderPage(res, 'admin/jobs/index', {
      title: res.locals.t('Tâches planifiées'),
      runs: rows,
      pager: pager(page, total),
      query: name ? { name } : {},
      name,
      jobNames: ALL_JOBS.map((j) => j.name),
      enabled: c.config.jobs.enabled,
    });
  });
  return router;
}
