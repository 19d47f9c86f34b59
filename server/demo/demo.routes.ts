import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { actorOf, requirePermission } from '../auth/auth.middleware';
import { can } from '../auth/permissions';
import { flash } from '../http/flash';
import { handleForm } from '../http/form';
import { renderPage } from '../http/render';
import { parseForm } from '../http/validate';
import type { Container } from '../container.types';

/** What these routes use of the container, and nothing else. */
type Deps = Pick<Container, 'demoRemoval'>;

const VIEW = 'admin/settings/demo';
const PATH = '/admin/settings/demo';

const ConfirmSchema = z.object({
  confirm: z.literal('oui', 'Cochez la case pour confirmer le retrait des données de démonstration.'),
});

/**
 * /admin/settings/demo: what removing the demo commune takes away and what stays, with counts;
 * a confirmed POST removes it (DemoRemoval, the same code as `npm run crieur -- demo:remove`).
 */
export function demoRoutes(c: Deps): Router {
  const router = Router();
  const removal = c.demoRemoval;
  const guard = requirePermission('demo.remove');

  const locals = async (res: Response) => ({ title: res.locals.t('Données de démonstration'), plan: await removal.plan(), errors: {} });

  router.get(PATH, guard, async (_req, res) => {
    await renderPage(res, VIEW, await locals(res));
  });

  router.post(PATH, guard, async (req, res) => {
    await handleForm(res, VIEW, await locals(res), async () => {
      parseForm(ConfirmSchema, req.body);
      const r = await removal.remove(actorOf(req));
      const t = res.locals.t;
      if (r.articles + r.pages + r.images + r.figureEvents === 0) {
        flash(req, 'info', t('Il n’y avait plus de données de démonstration : rien n’a été retiré.'));
      } else {
        flash(
          req,
          'success',
          t('Données de démonstration retirées : articles {articles}, pages {pages}, images {images}, lignes de chiffres {figures}.', {
            articles: r.articles,
            pages: r.pages,
            images: r.images,
            figures: r.figureEvents,
          }),
        );
        if (r.imagesKept)
          flash(
            req,
            'info',
            t('Images de démonstration gardées parce que le contenu de la commune ou son logo les montre : {count}.', { count: r.imagesKept }),
          );
      }
      res.redirect(PATH);
    });
  });

  return router;
}

/**
 * Tells administrators, on every admin page, that the demo commune is still there and where to
 * remove it: a commune must not go live with invented news.
 */
export function demoBannerLocals(c: Deps) {
  const removal = c.demoRemoval;
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      res.locals.demoBanner = req.method === 'GET' && req.path !== '/settings/demo' && can(req.user?.role, 'demo.remove') && (await removal.present());
      next();
    } catch (err) {
      next(err);
    }
  };
}
