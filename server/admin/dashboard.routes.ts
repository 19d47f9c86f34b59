import { Router } from 'express';
import type { Container } from '../container';
import { requireLogin } from '../auth/auth.middleware';
import { can } from '../auth/permissions';
import { renderPage } from '../http/render';
import { dashboardLocals } from '../stats/stats.routes';

/** What these routes use of the container, and nothing else. */
type Deps = Pick<Container, 'articles' | 'publishing' | 'networkAccounts' | 'handoff' | 'stats' | 'statsReports' | 'config'>;

/**
 * The first page after login: what waits for this person, then the usual ways in. For élus and
 * administrators it is also the reach dashboard (issue 13); editors keep the plain home page.
 */
export function dashboardRoutes(c: Deps): Router {
  const router = Router();
  router.get('/', requireLogin, async (req, res) => {
    const role = req.user!.role;
    const none = { rows: [], total: 0 };
    const [toApprove, proposals, scheduled, attention, accounts, handoffs] = await Promise.all([
      can(role, 'articles.approve') ? c.articles.list({ status: 'review', limit: 5, offset: 0 }) : none,
      // Changes proposed to online articles (approval required): the site keeps the old text meanwhile.
      can(role, 'articles.approve') ? c.articles.list({ status: 'proposed', limit: 5, offset: 0 }) : none,
      c.articles.list({ status: 'scheduled', limit: 5, offset: 0 }),
      can(role, 'articles.publish') ? c.publishing.needsAttention() : [],
      // Tokens that end within a week, or revoked: only administrators can renew them.
      can(role, 'accounts.manage') ? c.networkAccounts.needingAction() : [],
      // Posts due on networks without a connector: someone who can publish makes them by hand.
      can(role, 'articles.publish') ? c.handoff.waiting() : [],
    ]);
    const stats = can(role, 'stats.dashboard') ? await dashboardLocals(c, req, res) : null;
    await renderPage(
      res,
      'admin/dashboard',
      {
        ...stats,
        statsDashboard: !!stats,
        title: res.locals.t('Tableau de bord'),
        toApprove,
        proposals,
        scheduled,
        attentionCount: attention.length,
        accountsToRenew: accounts,
        handoffs,
      },
      stats?.periodProblem ? 400 : 200,
    );
  });
  return router;
}
