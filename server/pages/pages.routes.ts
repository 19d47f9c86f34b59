import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Container } from '../container';
import { actorOf, requirePermission } from '../auth/auth.middleware';
import { ConflictError, NotFoundError } from '../http/errors';
import { flash } from '../http/flash';
import { handleForm } from '../http/form';
import { renderPage } from '../http/render';
import { parseForm } from '../http/validate';
import type { Translate } from '../i18n/i18n';
import { slugNote } from '../articles/articles.views';
import { menuRoutes } from './menu.routes';
import { pagePreviewRoutes } from './pages.preview';
import { DeleteSchema, formToInput, PageFormSchema, valuesFromBody, valuesFromPage, VersionSchema, type PageFormValues } from './pages.schemas';
import { PAGE_STATUS_LABELS, type Page } from './pages.types';
import { isUnder } from './pages.tree';
import { PLACEHOLDERS } from './placeholders';

type Deps = Pick<Container, 'pages' | 'menus' | 'site' | 'config' | 'attachments'>;

const tr = (res: Response) => res.locals.t as Translate;

/** Page routes share /admin/pages/… with the menu's: an id that is not a number is not a page. */
function numericId(req: Request, _res: Response, next: NextFunction): void {
  next(/^\d{1,9}$/.test(String(req.params.id)) ? undefined : 'route');
}

const idOf = (req: Request) => Number(req.params.id);

/** /admin/pages: the commune's pages (list as a tree, write, delete) and the menus. */
export function pagesRoutes(c: Deps): Router {
  const router = Router();
  router.use(requirePermission('pages.manage'));

  router.get('/', async (_req, res) => {
    const rows = await c.pages.tree();
    const visible = new Set((await c.pages.visible()).map((p) => p.id));
    await renderPage(res, 'admin/pages/list', { title: tr(res)('Pages du site'), rows, visible, statusLabels: PAGE_STATUS_LABELS });
  });

  router.use('/menu', menuRoutes(c));
  router.use(pagePreviewRoutes(c)); // "Aperçu": a page, a draft included, as the site will show it

  /** The form's locals: the pages it may go under (not itself nor its sub-pages). */
  const formLocals = async (res: Response, page: Page | null, values: PageFormValues) => {
    const tree = await c.pages.tree();
    const parents = tree.filter((p) => !page || (p.id !== page.id && !isUnder(p.path, page.path)));
    return {
      title: page ? tr(res)('Modifier la page') : tr(res)('Nouvelle page'),
      page,
      values,
      parents,
      placeholders: PLACEHOLDERS,
      statusLabels: PAGE_STATUS_LABELS,
      errors: {},
    };
  };

  router.get('/new', async (req, res) => {
    const parent = typeof req.query.parent === 'string' && /^\d{1,9}$/.test(req.query.parent) ? req.query.parent : '';
    await renderPage(res, 'admin/pages/form', await formLocals(res, null, { ...valuesFromBody({}), parentId: parent }));
  });

  router.post('/', async (req, res) => {
    const locals = await formLocals(res, null, valuesFromBody(req.body));
    await handleForm(res, 'admin/pages/form', locals, async () => {
      const form = parseForm(PageFormSchema, req.body);
      const page = await c.pages.create(formToInput(form), actorOf(req));
      const t = tr(res);
      flash(
        req,
        'success',
        page.status === 'published' ? t('Page enregistrée et mise en ligne à l’adresse {path}.', { path: page.path }) : t('Page enregistrée (brouillon).'),
      );
      const note = slugNote(form.slug, form.title, t);
      if (note) flash(req, 'info', note, 'slug');
      res.redirect(`/admin/pages/${page.id}/edit`);
    });
  });

  router.get('/:id/edit', numericId, async (req, res) => {
    const page = await c.pages.getOrFail(idOf(req));
    await renderPage(res, 'admin/pages/form', await formLocals(res, page, valuesFromPage(page)));
  });

  router.post('/:id', numericId, async (req, res) => {
    const page = await c.pages.getOrFail(idOf(req));
    const locals = await formLocals(res, page, valuesFromBody(req.body));
    await handleForm(res, 'admin/pages/form', locals, async () => {
      try {
        const { version } = parseForm(VersionSchema, req.body);
        const form = parseForm(PageFormSchema, req.body);
        const result = await c.pages.update(page.id, formToInput(form), version, actorOf(req));
        const t = tr(res);
        if (!result.changed) flash(req, 'info', t('Aucune modification à enregistrer.'));
        else if (result.page.path !== page.path)
          flash(
            req,
            'success',
            t('Page enregistrée. Sa nouvelle adresse est {path} ; l’ancienne, {old}, y mène toujours.', { path: result.page.path, old: page.path }),
          );
        else flash(req, 'success', t('Page enregistrée.'));
        const note = slugNote(form.slug, form.title, t);
        if (note) flash(req, 'info', note, 'slug');
        res.redirect(`/admin/pages/${page.id}/edit`);
      } catch (err) {
        // What was typed stays in the form; the version shown becomes the current one.
        if (err instanceof ConflictError) {
          const current = await c.pages.get(page.id);
          if (current) locals.values = { ...locals.values, version: String(current.version) };
        }
        throw err;
      }
    });
  });

  router.get('/:id/delete', numericId, async (req, res) => {
    const plan = await c.pages.deletionPlan(idOf(req));
    await renderPage(res, 'admin/pages/delete', { title: tr(res)('Supprimer une page'), plan, errors: {} });
  });

  router.post('/:id/delete', numericId, async (req, res) => {
    const plan = await c.pages.deletionPlan(idOf(req));
    await handleForm(res, 'admin/pages/delete', { title: tr(res)('Supprimer une page'), plan, errors: {} }, async () => {
      parseForm(DeleteSchema, req.body);
      const done = await c.pages.delete(plan.page.id, actorOf(req));
      const t = tr(res);
      flash(
        req,
        'success',
        done.moves.length
          ? t('La page « {title} » a été supprimée ; ses {count} sous-pages ont été rattachées plus haut.', {
              title: done.page.title,
              count: done.moves.length,
            })
          : t('La page « {title} » a été supprimée.', { title: done.page.title }),
      );
      res.redirect('/admin/pages');
    });
  });

  router.use('/:id', (_req, _res, next) => next(new NotFoundError('Cette page n’existe pas ou a été supprimée.')));
  return router;
}
