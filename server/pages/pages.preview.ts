import { Router, type Request, type Response } from 'express';
import { attachmentView } from '../attachments/attachments.routes';
import type { Container } from '../container';
import { NotFoundError } from '../http/errors';
import { renderPage } from '../http/render';
import type { Translate } from '../i18n/i18n';
import { pageMeta } from '../site/metadata';
import { siteLocals } from '../site/site.routes';
import { childPath, pageSlug } from './pages.paths';
import { valuesFromBody, valuesFromPage, type PageFormValues } from './pages.schemas';
import { MISSING } from './pages.site';
import type { PublicPageRef } from './pages.types';

type Deps = Pick<Container, 'pages' | 'menus' | 'site' | 'config' | 'attachments'>;

/** Nothing about a preview is kept on the way: not by a browser, a proxy or a search engine. */
function privateHeaders(res: Response): void {
  res.set({ 'Cache-Control': 'no-store, private', 'X-Robots-Tag': 'noindex, nofollow, noarchive', 'Referrer-Policy': 'no-referrer' });
}

const byTitle = <T extends { title: string }>(rows: T[]) => [...rows].sort((a, b) => a.title.localeCompare(b.title, 'fr'));

/**
 * "Aperçu" on a page's form: the page as the site will show it once online, with the site's own
 * layout, menus and footer, a draft included, without saving nor publishing anything. GET shows
 * the page as saved; POST (the form's "Aperçu" button, in a new tab) shows what is typed, saved or
 * not. Behind pages.manage like the rest of /admin/pages; never cached, never indexed.
 */
export function pagePreviewRoutes(c: Deps): Router {
  const router = Router();
  // The public layout's locals (logo, date formats): the app skips them under /admin.
  const chrome = siteLocals(c);

  const show = async (req: Request, res: Response, id: number | null, values: PageFormValues) => {
    privateHeaders(res);
    const t = res.locals.t as Translate;
    const all = await c.pages.all();
    const saved = id === null ? null : (all.find((p) => p.id === id) ?? null);
    const title = values.title.trim() || t('Page sans titre');
    const parentId = /^\d{1,9}$/.test(values.parentId.trim()) ? Number(values.parentId.trim()) : null;
    // Placed as the form would place it; a refused address is the form's business, not the preview's.
    const parent = all.find((p) => p.id === parentId && p.id !== id) ?? null;
    const path = childPath(parent?.path ?? null, pageSlug(values.slug, title, id === null ? 'page' : `page-${id}`));
    const ref = (p: (typeof all)[number]): PublicPageRef => ({
      id: p.id,
      parentId: p.parentId,
      path: p.path,
      title: p.title,
      summary: p.summary,
      updatedAt: p.updatedAt,
    });
    const breadcrumb: PublicPageRef[] = [];
    for (let up = parent; up; up = all.find((p) => p.id === up?.parentId) ?? null) breadcrumb.unshift(ref(up));
    // The sub-pages the site would list under it: those online.
    const children = id === null ? [] : byTitle(all.filter((p) => p.parentId === id && p.status === 'published').map(ref));
    const html = await c.pages.render(values.body, t(MISSING));
    const attachments = id === null ? [] : (await c.attachments.publicList('page', id)).map(attachmentView);
    const meta = pageMeta({ title, description: values.summary.trim() || title, path, noindex: true }, c);
    res.locals.menus = await c.menus.site();
    res.locals.currentPath = path;
    const unsaved = req.method === 'POST';
    await renderPage(res, 'site/page', {
      page: { title, path, html },
      breadcrumb,
      children,
      attachments,
      meta,
      title: meta.title,
      previewBanner:
        saved?.status === 'published' && !unsaved
          ? t('Aperçu : cette page est en ligne, telle qu’elle est enregistrée.')
          : unsaved
            ? t('Aperçu : le texte du formulaire, ni enregistré ni publié. Fermez cet onglet pour revenir au formulaire.')
            : t('Aperçu : cette page est en brouillon, pas encore sur le site. Elle s’affichera ainsi une fois en ligne.'),
      previewBack: saved ? { href: `/admin/pages/${saved.id}/edit`, label: t('Revenir au formulaire de la page') } : null,
    });
  };

  router.get('/:id/preview', chrome, async (req, res) => {
    if (!/^\d{1,9}$/.test(String(req.params.id))) throw new NotFoundError('Cette page n’existe pas ou a été supprimée.');
    const page = await c.pages.getOrFail(Number(req.params.id));
    await show(req, res, page.id, valuesFromPage(page));
  });

  router.post('/preview', chrome, async (req, res) => {
    await show(req, res, null, valuesFromBody(req.body));
  });

  router.post('/:id/preview', chrome, async (req, res) => {
    if (!/^\d{1,9}$/.test(String(req.params.id))) throw new NotFoundError('Cette page n’existe pas ou a été supprimée.');
    const page = await c.pages.getOrFail(Number(req.params.id));
    await show(req, res, page.id, valuesFromBody(req.body));
  });

  return router;
}
