import { Router, type NextFunction, type Request, type Response } from 'express';
import { attachmentView } from '../attachments/attachments.routes';
import { frenchSpacingHtml } from '../i18n/typography';
import type { Container } from '../container';
import { pageFrom } from '../http/pagination';
import type { Translate } from '../i18n/i18n';
import { STATUS_SENTENCE } from './accessibility-statement';
import { NotFoundError } from '../http/errors';
import { articleMeta, articlePath, calendarFeed, categoryPath, feedLinks, homeMeta, pageMeta } from './metadata';
import type { PageMeta } from './metadata.types';
import { cacheKey } from './page-cache';
import { siteFormatters, type SiteFormatters } from './site.format';
import { NEWS_PER_PAGE, shareLinks } from './site.service';

/** What a page handler hands back: the view and its locals, and whether the result may be kept. */
interface Produced {
  view: string;
  locals: Record<string, unknown> & { meta: PageMeta };
  cacheable?: boolean;
  articleId?: number | null;
}

function renderView(res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => res.render(view, locals, (err, html) => (err ? reject(err) : resolve(html))));
}

/** What the site's pages use of the container (built there, like every service). */
type Deps = Pick<Container, 'site' | 'publicArticles' | 'redirects' | 'siteCache' | 'config' | 'settings' | 'media' | 'categories' | 'attachments'>;

/**
 * What the public layout needs besides templateLocals (the header's logo, dates as residents read
 * them), for every public page whoever renders it, error pages included.
 */
export function siteLocals(c: Pick<Container, 'site' | 'config'>) {
  const site = c.site;
  // Intl formatters are costly to build and the same for every request in a language.
  const formatters = new Map<string, SiteFormatters>();
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith('/admin')) return next();
    res.locals.site = await site.chrome();
    let fmt = formatters.get(res.locals.locale);
    if (!fmt) formatters.set(res.locals.locale, (fmt = siteFormatters(res.locals.locale, c.config.timeZone, res.locals.t)));
    res.locals.fmt = fmt;
    next();
  };
}

/**
 * The public website: home, news, articles, agenda, the mandatory pages. Every page goes through
 * the page cache: rendered once, then served by the cache's fast path until something changes.
 * Search, feeds, open data and the API have their own routers.
 */
export function siteRoutes(c: Deps): Router {
  const router = Router();
  const site = c.site;
  const cache = c.siteCache;
  const meta = { config: c.config, settings: c.settings, media: c.media };
  const publicArticles = c.publicArticles;
  const redirects = c.redirects;

  /**
   * Answers a page from the cache, or renders it (once, however many ask at the same moment),
   * keeps it when it may, and answers it the same way the fast path would. `key` names the page
   * by the parameters it depends on, so "?page=1" or an unknown parameter does not make a copy.
   */
  const page = (key: (req: Request) => string, produce: (req: Request, t: Translate) => Promise<Produced>) => async (req: Request, res: Response) => {
    const entry = await cache.fill(cacheKey(key(req)), async () => {
      const p = await produce(req, res.locals.t as Translate);
      const body = await renderView(res, p.view, p.locals);
      // French spacing at rendering, on text only (server/i18n/typography.ts).
      const html = frenchSpacingHtml(await renderView(res, 'site/layout', { ...p.locals, title: p.locals.meta.title, body }));
      // A page that sets a cookie is someone's own page: never shared (public pages set none).
      const keep = p.cacheable !== false && !res.hasHeader('set-cookie');
      return { page: cache.build(html, res.getHeaders(), p.articleId ?? null), keep };
    });
    cache.serve(req, res, entry);
  };
  /**
   * An article's page, or when no visible article has that slug, a permanent redirect to the
   * article that had it before a rename (the query string kept: ?ref= still attributes the visit).
   * An article that has the slug now always wins over a redirect.
   */
  const orFormerSlug =
    (handler: (req: Request, res: Response) => Promise<void>, suffix = '') =>
    async (req: Request, res: Response) => {
      try {
        await handler(req, res);
      } catch (err) {
        const current = err instanceof NotFoundError ? await redirects.target(publicArticles, String(req.params.slug)) : null;
        if (!current) throw err;
        const q = req.originalUrl.indexOf('?');
        res.redirect(301, `${articlePath(current)}${suffix}${q < 0 ? '' : req.originalUrl.slice(q)}`);
      }
    };
  const byPath = (req: Request) => req.path;
  const paged = (req: Request) => {
    const n = pageFrom(req.query).page;
    return n > 1 ? `${req.path}?page=${n}` : req.path;
  };

  router.get(
    '/',
    page(byPath, async (_req, t) => {
      const home = await site.home();
      const commune = await c.settings.get();
      return {
        view: 'site/home',
        locals: { ...home, meta: await homeMeta(meta), accessibilitySentence: t(STATUS_SENTENCE[commune.accessibility.status]) },
        cacheable: home.cacheable,
      };
    }),
  );

  router.get('/actualites', async (req, res, next) => {
    // A category has its own address; ?categorie= (a filter written by hand or by another site) leads there.
    const slug = req.query.categorie;
    if (typeof slug === 'string' && slug) return res.redirect(301, categoryPath(slug));
    next();
  });

  router.get(
    '/actualites',
    page(paged, async (req, t) => {
      const news = await site.news(pageFrom(req.query, NEWS_PER_PAGE));
      const title = news.pager.page > 1 ? t('Actualités, page {page}', { page: news.pager.page }) : t('Actualités');
      const commune = await c.settings.get();
      const m = pageMeta(
        { title, description: t('Toutes les actualités de {commune}.', { commune: commune.name }), path: '/actualites', page: news.pager.page },
        meta,
      );
      return { view: 'site/list', locals: { ...news, heading: title, meta: m }, cacheable: news.cacheable };
    }),
  );

  /**
   * A category renamed, merged or deleted in the admin: its former address answers 301 to the
   * category it became (or to the news list), query string kept, feeds included.
   */
  const formerCategory = async (req: Request, suffix: string, feed?: string): Promise<string | null> => {
    const to = await c.categories.redirectTarget(String(req.params.slug));
    if (!to) return null;
    const q = req.originalUrl.indexOf('?');
    const path = to.slug ? `${categoryPath(to.slug)}${suffix}` : feed ? `/${feed}` : '/actualites';
    return `${path}${q < 0 ? '' : req.originalUrl.slice(q)}`;
  };
  router.get('/actualites/categorie/:slug/:file', async (req, res, next) => {
    const file = String(req.params.file);
    if (!['rss.xml', 'atom.xml'].includes(file) || (await c.publicArticles.categoryBySlug(String(req.params.slug)))) return next();
    const to = await formerCategory(req, `/${file}`, file);
    if (!to) return next();
    res.redirect(301, to);
  });
  const categoryPage = page(paged, async (req, t) => {
    const news = await site.news(pageFrom(req.query, NEWS_PER_PAGE), String(req.params.slug));
    const category = news.category as NonNullable<typeof news.category>;
    const title = news.pager.page > 1 ? t('{category} : actualités, page {page}', { category: category.name, page: news.pager.page }) : category.name;
    const m = pageMeta(
      {
        title,
        description: t('Les actualités de la rubrique « {category} ».', { category: category.name }),
        path: categoryPath(category.slug),
        page: news.pager.page,
        feeds: feedLinks(c.config.baseUrl, category),
      },
      meta,
    );
    return { view: 'site/category', locals: { ...news, heading: title, meta: m }, cacheable: news.cacheable };
  });
  router.get('/actualites/categorie/:slug', async (req, res) => {
    try {
      await categoryPage(req, res);
    } catch (err) {
      const to = err instanceof NotFoundError ? await formerCategory(req, '') : null;
      if (!to) throw err;
      res.redirect(301, to);
    }
  });

  router.get(
    '/actualites/:slug/evenement.ics',
    orFormerSlug(async (req, res) => {
      const { filename, ics } = await site.eventCalendar(String(req.params.slug));
      res.set({
        'Content-Type': 'text/calendar; charset=utf-8',
        'Content-Disposition': `attachment; filename="${filename}"`,
        'Cache-Control': 'public, no-cache',
      });
      res.send(ics);
    }, '/evenement.ics'),
  );

  router.get(
    '/actualites/:slug',
    orFormerSlug(
      page(byPath, async (req) => {
        const p = await site.article(String(req.params.slug));
        const a = p.article;
        return {
          view: 'site/article',
          locals: {
            ...p,
            meta: await articleMeta(a, meta),
            share: shareLinks(a.title, p.url),
            attachments: (await c.attachments.publicList('article', a.id)).map(attachmentView),
          },
          cacheable: p.cacheable,
          articleId: a.id,
        };
      }),
    ),
  );

  router.get(
    '/agenda',
    page(byPath, async (_req, t) => {
      const agenda = await site.agenda();
      const commune = await c.settings.get();
      const m = pageMeta(
        {
          title: t('Agenda'),
          description: t('Les prochains événements à {commune}.', { commune: commune.name }),
          path: '/agenda',
          feeds: [calendarFeed(c.config.baseUrl, t), ...feedLinks(c.config.baseUrl)],
        },
        meta,
      );
      return { view: 'site/agenda', locals: { ...agenda, meta: m }, cacheable: agenda.cacheable };
    }),
  );

  router.get(
    '/plan-du-site',
    page(byPath, async (_req, t) => {
      const map = await site.siteMap();
      const commune = await c.settings.get();
      const m = pageMeta(
        { title: t('Plan du site'), description: t('Toutes les pages du site de {commune}.', { commune: commune.name }), path: '/plan-du-site' },
        meta,
      );
      return { view: 'site/plan', locals: { ...map, meta: m } };
    }),
  );

  return router;
}
