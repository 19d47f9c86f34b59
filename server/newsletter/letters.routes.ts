import { Router, type Request, type Response } from 'express';
import type { Container } from '../container';
import { NotFoundError } from '../http/errors';
import { pageFrom, pager } from '../http/pagination';
import { renderPage } from '../http/render';
import type { Translate } from '../i18n/i18n';
import { pageMeta } from '../site/metadata';

/** What these routes use of the container, and nothing else. */
type Deps = Pick<Container, 'campaigns' | 'campaignRenderer' | 'config'>;

/**
 * The policy of an e-mail shown as a page (the web version, the admin preview): the e-mail's own
 * inline styles and its images, no script at all, framed by Crieur's own pages only.
 */
export const EMAIL_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: https: http:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

// The transparent 1×1 GIF of the open pixel.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const WEB_VERSIONS_KEPT = 20;

const NUMBER = /^\d{1,9}$/;

/**
 * Public newsletter addresses: the archive (/lettres), each sent letter's web version
 * (/lettres/<number>, nobody's personal links), the click redirect (/l/<campaign>/<link>) and the
 * open pixel (/o/<campaign>.gif). The redirect and the pixel count every request: they never go
 * through the page cache and are never stored by a browser. A per-person token (`t`, opted-in
 * subscribers only) is a query parameter, which the request log hides (log-safety.ts).
 */
export function lettersRoutes(c: Deps): Router {
  const router = Router();
  // Sent letters do not change: their web version is compiled once per number, a few kept in memory.
  const webVersions = new Map<number, Promise<string>>();

  router.get('/lettres', async (req: Request, res: Response) => {
    const t = res.locals.t as Translate;
    const page = pageFrom(req.query, 20);
    const { rows, total } = await c.campaigns.archive({ limit: page.limit, offset: page.offset });
    const title = t('Les lettres d’information');
    const meta = pageMeta(
      { title, description: t('Les lettres d’information envoyées par la commune, à relire en ligne.'), path: '/lettres', page: page.page },
      c,
    );
    await renderPage(res, 'site/letters', {
      title,
      meta,
      letters: rows,
      pager: pager(page, total),
      query: {},
    });
  });

  router.get('/lettres/:number', async (req: Request, res: Response) => {
    const raw = String(req.params.number);
    if (!NUMBER.test(raw)) throw new NotFoundError();
    const number = Number(raw);
    let html = webVersions.get(number);
    if (!html) {
      const campaign = await c.campaigns.byNumber(number);
      if (!campaign) throw new NotFoundError();
      html = c.campaignRenderer.preview(campaign.id).then((p) => p.web().html);
      html.catch(() => webVersions.delete(number));
      webVersions.set(number, html);
      if (webVersions.size > WEB_VERSIONS_KEPT) webVersions.delete(webVersions.keys().next().value as number);
    }
    res
      .set({ 'Content-Security-Policy': EMAIL_CSP, 'Cache-Control': 'public, max-age=300', 'X-Frame-Options': 'SAMEORIGIN' })
      .type('html')
      .send(await html);
  });

  router.get('/l/:campaign/:link', async (req: Request, res: Response) => {
    const campaign = String(req.params.campaign);
    const link = String(req.params.link);
    if (!NUMBER.test(campaign) || !NUMBER.test(link)) throw new NotFoundError();
    const url = await c.campaigns.tracking.click(Number(campaign), Number(link), req.query.t);
    if (!url) throw new NotFoundError();
    res.set('Cache-Control', 'no-store').redirect(302, url);
  });

  router.get('/o/:file', async (req: Request, res: Response) => {
    const m = /^(\d{1,9})\.gif$/.exec(String(req.params.file));
    if (m) await c.campaigns.tracking.open(Number(m[1]), req.query.t);
    // Same answer for any campaign: the pixel tells nothing to whoever asks.
    res.set({ 'Cache-Control': 'no-store, private', 'Content-Type': 'image/gif' }).send(PIXEL);
  });

  return router;
}
