import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Container } from '../container';
import { requirePermission } from '../auth/auth.middleware';
import { flash } from '../http/flash';
import { renderPage } from '../http/render';
import { parseForm } from '../http/validate';
import type { Translate } from '../i18n/i18n';
import { articleMeta } from '../site/metadata';
import { shareLinks } from '../site/site.service';
import { menuLocals } from '../pages/pages.site';
import { siteLocals } from '../site/site.routes';
import type { PublicArticle } from './public-articles.repository';
import { renderMarkdown } from './markdown';
import { actorFor, idParam, numericParams, tr, type ArticlePageDeps } from './articles.views';

const AudienceSchema = z.object({ audience: z.enum(['team', 'anyone'], 'Choisissez qui peut ouvrir le lien.').default('team') });

/** Nothing about a preview is kept anywhere on the way: not by a browser, a proxy or a search engine. */
function privateHeaders(res: Response): void {
  res.set({ 'Cache-Control': 'no-store, private', 'X-Robots-Tag': 'noindex, nofollow, noarchive', 'Referrer-Policy': 'no-referrer' });
}

/** Making and revoking an article's preview links (on its edit page). */
export function articlePreviewAdminRoutes(c: ArticlePageDeps): Router {
  const router = Router();

  router.post('/:id/previews', numericParams, requirePermission('articles.write'), async (req, res) => {
    const id = idParam(req.params.id);
    const { audience } = parseForm(AudienceSchema, req.body);
    const article = await c.articles.getOrFail(id);
    const { token, expiresAt } = await c.articles.previews.create(id, audience, actorFor(req));
    // Shown once, in this answer only: never in a redirect, a flash message (stored in the session) or a log.
    privateHeaders(res);
    await renderPage(res, 'admin/articles/preview-link', {
      title: tr(res)('Lien d’aperçu créé'),
      article,
      url: `${c.config.baseUrl}/admin/preview/${token}`,
      audience,
      expiresAt,
    });
  });

  router.post('/:id/previews/:previewId/revoke', numericParams, requirePermission('articles.write'), async (req, res) => {
    const id = idParam(req.params.id);
    await c.articles.previews.revoke(id, idParam(req.params.previewId), actorFor(req));
    flash(req, 'success', tr(res)('Lien d’aperçu révoqué : il n’ouvre plus rien.'));
    res.redirect(`/admin/articles/${id}/edit#previews`);
  });

  return router;
}

type PageDeps = Pick<Container, 'articles' | 'site' | 'config' | 'settings' | 'media' | 'menus' | 'clock'>;

/**
 * /admin/preview/<token>: the article as the site will show it, with the site's own templates,
 * marked as a preview, for whoever holds the link (or, for a "team" link, a logged-in member of
 * the team, an elected member included, who needs no editing right). Never cached, never indexed.
 */
export function articlePreviewPageRoutes(c: PageDeps): Router {
  const router = Router();
  // The public layout's locals (logo, date formats): set here, since the app skips them under /admin.
  router.use(siteLocals(c));
  // …and the menus built in the admin, so that the mayor sees the page as the site will show it.
  router.use(menuLocals(c));

  router.get('/:token', async (req: Request, res: Response) => {
    privateHeaders(res);
    const token = String(req.params.token);
    const { preview, article, content, proposal } = await c.articles.previews.open(token);
    if (preview.audience === 'team' && !req.user) {
      res.redirect(`/admin/login?next=${encodeURIComponent(`/admin/preview/${token}`)}`);
      return;
    }
    const categories = await c.articles.listCategories();
    const category = categories.find((k) => k.id === content.categoryId) ?? null;
    const now = c.articles.isScheduled(article) || article.status !== 'published' ? null : article.publishAt;
    // A date only counts once it is scheduled (or asked for): a draft's abandoned date would go out
    // today with "Publier maintenant", so that is the date its preview shows.
    const dated = c.articles.isScheduled(article) || article.scheduleRequested;
    const a: PublicArticle = {
      id: article.id,
      slug: content.slug,
      title: content.title,
      summary: content.summary,
      bodyHtml: renderMarkdown(content.bodyMd),
      categoryId: category?.id ?? null,
      categorySlug: category?.slug ?? null,
      categoryName: category?.name ?? null,
      heroMediaId: content.heroMediaId,
      heroAlt: content.heroAlt,
      eventStart: content.eventStart ? new Date(content.eventStart) : null,
      eventEnd: content.eventEnd ? new Date(content.eventEnd) : null,
      eventPlace: content.eventPlace,
      urgent: content.urgent,
      publishedAt: now ?? (dated && content.publishAt ? new Date(content.publishAt) : c.clock.now()),
      updatedAt: article.updatedAt,
    };
    const page = await c.site.previewPage(a);
    const meta = { ...(await articleMeta(a, { config: c.config, settings: c.settings, media: c.media })), noindex: true };
    const t = res.locals.t as Translate;
    await renderPage(res, 'site/article', {
      ...page,
      meta,
      title: meta.title,
      share: shareLinks(a.title, page.url),
      previewBanner: proposal
        ? t('Aperçu privé : modification proposée, pas encore en ligne. Ce lien expire le {date}.', {
            date: (res.locals.fmtDateTime as (d: Date) => string)(preview.expiresAt),
          })
        : t('Aperçu privé : cet article n’est pas encore publié sous cette forme. Ce lien expire le {date}.', {
            date: (res.locals.fmtDateTime as (d: Date) => string)(preview.expiresAt),
          }),
    });
  });

  return router;
}
