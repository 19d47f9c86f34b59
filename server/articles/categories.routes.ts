import { Router } from 'express';
import { z } from 'zod';
import { actorOf, requirePermission } from '../auth/auth.middleware';
import { NotFoundError, ValidationError } from '../http/errors';
import { flash } from '../http/flash';
import { handleForm } from '../http/form';
import { renderPage } from '../http/render';
import { parseForm, str } from '../http/validate';
import type { Container } from '../container';
import type { Translate } from '../i18n/i18n';

type Deps = Pick<Container, 'categories'>;

const CategorySchema = z.object({
  name: z
    .string({ error: 'Indiquez le nom de la catégorie.' })
    .trim()
    .min(1, 'Indiquez le nom de la catégorie.')
    .max(80, 'Le nom est trop long (80 caractères au plus).'),
  slug: z.string({ error: 'Cette valeur n’est pas lisible.' }).max(80, 'L’adresse est trop longue (80 caractères au plus).').default(''),
});
const MoveSchema = z.object({ direction: z.enum(['up', 'down'], 'Ce déplacement n’existe pas.') });
const OrderSchema = z.object({
  order: z
    .union([z.string(), z.array(z.string())], { error: 'L’ordre envoyé n’est pas lisible : rechargez la page, puis recommencez.' })
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .refine((v) => v.length <= 1000 && v.every((x) => /^\d{1,9}$/.test(x)), 'L’ordre envoyé n’est pas lisible : rechargez la page, puis recommencez.')
    .transform((v) => v.map(Number)),
});
const TargetSchema = z.object({
  target: z
    .string({ error: 'Choisissez où vont les articles.' })
    .regex(/^(none|\d{1,9})$/, 'Choisissez où vont les articles.')
    .transform((v) => (v === 'none' ? null : Number(v))),
});

function idOf(v: unknown): number {
  if (typeof v !== 'string' || !/^\d{1,9}$/.test(v)) throw new NotFoundError('Cette catégorie n’existe pas ou a été supprimée.');
  return Number(v);
}

/** /admin/categories: the site's categories, managed by the communication staff. */
export function categoriesRoutes(c: Deps): Router {
  const router = Router();
  const t = (res: { locals: Record<string, unknown> }) => res.locals.t as Translate;
  const guard = requirePermission('categories.manage');

  router.get('/', guard, async (_req, res) => {
    await renderPage(res, 'admin/categories/index', { title: t(res)('Catégories'), categories: await c.categories.list(), values: { name: '', slug: '' } });
  });

  router.post('/', guard, async (req, res) => {
    const locals = {
      title: t(res)('Catégories'),
      categories: await c.categories.list(),
      values: { name: str(req.body?.name) ?? '', slug: str(req.body?.slug) ?? '' },
    };
    await handleForm(res, 'admin/categories/index', locals, async () => {
      const form = parseForm(CategorySchema, req.body);
      await c.categories.create(form, actorOf(req));
      flash(req, 'success', t(res)('Catégorie « {name} » ajoutée.', { name: form.name }));
      res.redirect('/admin/categories');
    });
  });

  // The whole order, as the page's drag and drop and arrow keys left it. Declared before
  // '/:id' so that 'order' is not read as a category's id. A refusal is shown above the table.
  router.post('/order', guard, async (req, res) => {
    try {
      const { order } = parseForm(OrderSchema, req.body);
      await c.categories.reorder(order, actorOf(req));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const message = Object.values(err.fields)[0] ?? err.message;
      const categories = await c.categories.list();
      await renderPage(
        res,
        'admin/categories/index',
        { title: t(res)('Catégories'), categories, values: { name: '', slug: '' }, orderError: t(res)(message) },
        400,
      );
      return;
    }
    flash(req, 'success', t(res)('Ordre des catégories enregistré.'));
    res.redirect('/admin/categories');
  });

  router.get('/:id/edit', guard, async (req, res) => {
    const category = await c.categories.get(idOf(req.params.id));
    await renderPage(res, 'admin/categories/edit', { title: t(res)('Renommer une catégorie'), category, values: { name: category.name, slug: category.slug } });
  });

  router.post('/:id', guard, async (req, res) => {
    const category = await c.categories.get(idOf(req.params.id));
    const locals = { title: t(res)('Renommer une catégorie'), category, values: { name: str(req.body?.name) ?? '', slug: str(req.body?.slug) ?? '' } };
    await handleForm(res, 'admin/categories/edit', locals, async () => {
      const form = parseForm(CategorySchema, req.body);
      await c.categories.rename(category.id, form, actorOf(req));
      flash(req, 'success', t(res)('Catégorie enregistrée. Son ancienne adresse mène à la nouvelle.'));
      res.redirect('/admin/categories');
    });
  });

  router.post('/:id/move', guard, async (req, res) => {
    const id = idOf(req.params.id);
    const { direction } = parseForm(MoveSchema, req.body);
    await c.categories.move(id, direction, actorOf(req));
    const all = await c.categories.list();
    const n = all.findIndex((x) => x.id === id);
    if (n >= 0) flash(req, 'success', t(res)('« {name} » est maintenant en position {n} sur {total}.', { name: all[n]!.name, n: n + 1, total: all.length }));
    res.redirect(`/admin/categories#category-${id}`);
  });

  // Step 1: where the articles go; step 2 (?target=): what will move, and the final button.
  router.get('/:id/delete', guard, async (req, res) => {
    const id = idOf(req.params.id);
    const categories = await c.categories.list();
    const target = str(req.query.target);
    const plan = target === undefined ? null : await c.categories.plan(id, parseForm(TargetSchema, { target }).target);
    await renderPage(res, 'admin/categories/delete', {
      title: t(res)('Fusionner ou supprimer une catégorie'),
      category: await c.categories.get(id),
      others: categories.filter((x) => x.id !== id),
      plan,
      target: target ?? '',
    });
  });

  router.post('/:id/delete', guard, async (req, res) => {
    const id = idOf(req.params.id);
    const { target } = parseForm(TargetSchema, req.body);
    const plan = await c.categories.remove(id, target, actorOf(req));
    flash(
      req,
      'success',
      plan.target
        ? t(res)('« {name} » a été fusionnée dans « {target} » : {n} article(s) déplacé(s).', {
            name: plan.category.name,
            target: plan.target.name,
            n: plan.articles,
          })
        : t(res)('« {name} » a été supprimée : {n} article(s) sont maintenant sans catégorie.', { name: plan.category.name, n: plan.articles }),
    );
    res.redirect('/admin/categories');
  });

  return router;
}
