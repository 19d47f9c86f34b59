import { Router } from 'express';
import type { Container } from '../container';
import { requireLogin } from '../auth/auth.middleware';
import { renderPage } from '../http/render';

export function dashboardRoutes(_c: Container): Router {
  const router = Router();
  router.get('/', requireLogin, async (_req, res) => {
    await renderPage(res, 'admin/dashboard', { title: res.locals.t('Tableau de bord') });
  });
  return router;
}
