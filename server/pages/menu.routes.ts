import { Router, type Response } from 'express';
import type { Container } from '../container';
import { actorOf } from '../auth/auth.middleware';
import { ValidationError } from '../http/errors';
import { flash } from '../http/flash';
import { handleForm } from '../http/form';
import { renderPage } from '../http/render';
import { parseForm } from '../http/validate';
import type { Translate } from '../i18n/i18n';
import { MENU_LABELS, MENUS, type Menu } from './menu.links';
import { MenuFormSchema } from './pages.schemas';

type Deps = Pick<Container, 'menus'>;

/** The menu's form has no field to show an error next to: the first problem is the message. */
function readMenuForm(body: unknown) {
  try {
    return parseForm(MenuFormSchema, body);
  } catch (err) {
    if (err instanceof ValidationError) throw new ValidationError(Object.values(err.fields)[0] ?? err.message);
    throw err;
  }
}

const tr = (res: Response) => res.locals.t as Translate;

/** /admin/pages/menu: the main menu and the footer, in order (mounted behind pages.manage). */
export function menuRoutes(c: Deps): Router {
  const router = Router();

  const locals = async (res: Response) => {
    const menus = await Promise.all(MENUS.map(async (menu) => ({ menu, label: MENU_LABELS[menu], ...(await c.menus.edit(menu)) })));
    return { title: tr(res)('Menu et pied de page'), menus, errors: {} };
  };

  router.get('/', async (_req, res) => {
    await renderPage(res, 'admin/pages/menu', await locals(res));
  });

  router.post('/', async (req, res) => {
    await handleForm(res, 'admin/pages/menu', await locals(res), async () => {
      const form = readMenuForm(req.body);
      const entries = [...form.entries];
      const [op, at] = form.action.split(':') as [string, string | undefined];
      const i = Number(at);
      const t = tr(res);
      const where = t(MENU_LABELS[form.menu as Menu]);
      let message = t('{menu} enregistré.', { menu: where });
      const { entries: shown, available } = await c.menus.edit(form.menu);
      const labelOf = (token: string | undefined) => {
        const e = [...shown, ...available].find((x) => x.token === token);
        return e ? (e.kind === 'link' ? t(e.label) : e.label) : '';
      };
      if ((op === 'up' || op === 'down' || op === 'remove') && (i >= entries.length || Number.isNaN(i))) {
        message = t('Cette entrée n’est plus dans le menu : rechargez la page.');
      } else if (op === 'up' || op === 'down') {
        const j = op === 'up' ? Math.max(0, i - 1) : Math.min(entries.length - 1, i + 1);
        const [moved] = entries.splice(i, 1);
        entries.splice(j, 0, moved as string);
        message = t('« {label} » est maintenant en position {n} sur {total} ({menu}).', {
          label: labelOf(moved),
          n: j + 1,
          total: entries.length,
          menu: where,
        });
      } else if (op === 'remove') {
        const [removed] = entries.splice(i, 1);
        message = t('« {label} » a été retiré du menu ({menu}).', { label: labelOf(removed), menu: where });
      } else if (op === 'add') {
        if (!form.add) throw new ValidationError('Choisissez une entrée à ajouter.', { [`add-${form.menu}`]: 'Choisissez une entrée à ajouter.' });
        entries.push(form.add);
        message = t('« {label} » a été ajouté à la fin du menu ({menu}).', { label: labelOf(form.add), menu: where });
      }
      await c.menus.save(form.menu, entries, actorOf(req));
      flash(req, 'success', message);
      res.redirect(`/admin/pages/menu#menu-${form.menu}`);
    });
  });

  return router;
}
