import { attachmentView } from '../attachments/attachments.routes';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Container } from '../container';
import { pageMeta } from '../site/metadata';
import { cacheKey } from '../site/page-cache';
import type { Translate } from '../i18n/i18n';
import { frenchSpacingHtml } from '../i18n/typography';
import { asPagePath } from './pages.paths';

/** What an empty setting shows in a page (the legal notice's gaps stay visible). */
export const MISSING = 'à compléter dans les paramètres de la commune';

type Deps = Pick<Container, 'pages' | 'menus' | 'siteCache' | 'config' | 'attachments'>;

function renderView(res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => res.render(view, locals, (err, html) => (err ? reject(err) : resolve(html))));
}

/** The main menu and the footer, for every public page (the layout falls back to fixed links without them). */
export function menuLocals(c: Pick<Container, 'menus'>) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith('/admin')) return next();
    try {
      res.locals.menus = await c.menus.site();
      next();
    } catch (err) {
      next(err);
    }
  };
}

/**
 * The commune's pages at their addresses ("/mairie", "/mairie/horaires"), after every other route
 * of the site so that none of them can be hidden by a page. A former address of a page answers
 * 301 to where it is now; a draft, or a page under a draft, is not found. Pages go through the
 * page cache like the rest of the site.
 */
export function pagesSiteRoutes(c: Deps): Router {
  const router = Router();
  const cache = c.siteCache;

  router.get('/*path', async (req: Request, res: Response, next: NextFunction) => {
    const path = asPagePath(req.path);
    if (!path) return next();
    const t = res.locals.t as Translate;
    const shown = await c.pages.shown(path, t(MISSING));
    if (!shown) {
      const target = await c.pages.redirectFor(path);
      if (!target) return next();
      const q = req.originalUrl.indexOf('?');
      return res.redirect(301, `${target}${q < 0 ? '' : req.originalUrl.slice(q)}`);
    }
    if (path !== req.path) return res.redirect(301, path); // "/mairie/" is "/mairie"
    const entry = await cache.fill(cacheKey(path), async () => {
      const meta = pageMeta({ title: shown.page.title, description: shown.description, path }, c);
      const attachments = (await c.attachments.publicList('page', shown.page.id)).map(attachmentView);
      const locals = { page: { title: shown.page.title, path, html: shown.html }, breadcrumb: shown.breadcrumb, children: shown.children, attachments, meta };
      const body = await renderView(res, 'site/page', locals);
      // French spacing at rendering, on text only, like every public page (server/i18n/typography.ts).
      const html = frenchSpacingHtml(await renderView(res, 'site/layout', { ...locals, title: meta.title, body }));
      return { page: cache.build(html, res.getHeaders(), null), keep: !res.hasHeader('set-cookie') };
    });
    cache.serve(req, res, entry);
  });

  return router;
}
