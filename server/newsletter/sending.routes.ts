import { Router, type Request } from 'express';
import type { Container } from '../container';
import { actorOf, requirePermission } from '../auth/auth.middleware';
import { flash } from '../http/flash';
import { NotFoundError } from '../http/errors';
import type { Translate } from '../i18n/i18n';
import type { CampaignSender } from './campaign-sender';
import { progressView } from './sending.messages';

/** What the campaign page's sending partial shows: null until the campaign has started sending. */
export async function sendingView(sender: CampaignSender, t: Translate, campaignId: number) {
  const p = await sender.progress(campaignId).catch((err: unknown) => {
    if (err instanceof NotFoundError) return null;
    throw err;
  });
  return p ? progressView(t, p) : null;
}

/** What these routes use of the container, and nothing else. */
type Deps = Pick<Container, 'campaignSender'>;

function campaignId(req: Request): number {
  const id = Number(req.params.id);
  if (!Number.isInteger(id) || id <= 0 || id > 2 ** 31) throw new NotFoundError('Cette lettre n’existe pas.');
  return id;
}

/**
 * Pause, resume and the progress of a campaign being sent; the campaign page (campaigns domain)
 * shows views/admin/newsletter/_progress.ejs, which posts here and polls the JSON.
 */
export function sendingRoutes(c: Deps): Router {
  const router = Router();
  const back = (id: number) => `/admin/newsletter/${id}#envoi`;

  router.post('/newsletter/campaigns/:id/pause', requirePermission('newsletter.send'), async (req, res) => {
    const id = campaignId(req);
    await c.campaignSender.pause(id, actorOf(req));
    flash(req, 'success', res.locals.t('L’envoi est en pause : les messages déjà partis le restent, les autres attendent la reprise.'));
    res.redirect(back(id));
  });

  router.post('/newsletter/campaigns/:id/resume', requirePermission('newsletter.send'), async (req, res) => {
    const id = campaignId(req);
    await c.campaignSender.resume(id, actorOf(req));
    flash(req, 'success', res.locals.t('L’envoi reprend là où il s’était arrêté.'));
    res.redirect(back(id));
  });

  router.get('/newsletter/campaigns/:id/progress.json', requirePermission('newsletter.send'), async (req, res) => {
    const progress = await c.campaignSender.progress(campaignId(req));
    res.set('Cache-Control', 'no-store').json(progressView(res.locals.t, progress));
  });

  return router;
}
