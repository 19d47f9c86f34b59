import { Router, type Request, type Response } from 'express';
import type { Container } from '../container';
import { flash } from '../http/flash';
import { handleForm } from '../http/form';
import { NotFoundError } from '../http/errors';
import { pageFrom, pager } from '../http/pagination';
import { renderPage } from '../http/render';
import { parseForm } from '../http/validate';
import { actorOf, requirePermission } from './auth.middleware';
import { ROLES } from './permissions';
import { IdParam, InviteSchema, RoleSchema } from './users.schemas';
import type { User } from './users.repository';

/** What these routes use of the container, and nothing else. */
type Deps = Pick<Container, 'users'>;

const VIEW = 'admin/users/index';
const PER_PAGE = 25;

export type AccountStatus = 'active' | 'pending' | 'disabled';

export function accountStatus(u: User): AccountStatus {
  if (u.disabledAt) return 'disabled';
  return u.passwordHash ? 'active' : 'pending';
}

function idOf(req: Request): number {
  const parsed = IdParam.safeParse(req.params.id);
  if (!parsed.success) throw new NotFoundError('Ce compte n’existe pas.');
  return parsed.data;
}

/** Administrators manage accounts here: invitations, roles, disabling. The rules are in UsersService. */
export function usersRoutes(c: Deps): Router {
  const router = Router();
  router.use(requirePermission('users.manage'));

  async function listLocals(req: Request, res: Response, values: Record<string, unknown> = {}) {
    const page = pageFrom(req.query, PER_PAGE);
    const { rows, total } = await c.users.list(page);
    return {
      title: res.locals.t('Utilisateurs'),
      users: rows.map((u) => ({ ...u, status: accountStatus(u) })),
      roles: ROLES,
      pager: pager(page, total),
      query: page.page > 1 ? { page: String(page.page) } : {},
      values: { role: 'editor', ...values },
    };
  }

  /** Runs an action on one account from the list; a refusal re-renders the list with the message. */
  async function onAccount(req: Request, res: Response, action: (id: number) => Promise<string>) {
    const id = idOf(req);
    await handleForm(res, VIEW, await listLocals(req, res), async () => {
      const message = await action(id);
      flash(req, 'success', message);
      res.redirect(backTo(req));
    });
  }

  router.get('/', async (req, res) => {
    await renderPage(res, VIEW, await listLocals(req, res));
  });

  router.post('/invite', async (req, res) => {
    const values = { displayName: String(req.body?.displayName ?? ''), email: String(req.body?.email ?? ''), role: String(req.body?.role ?? '') };
    await handleForm(res, VIEW, await listLocals(req, res, values), async () => {
      const form = parseForm(InviteSchema, req.body);
      const user = await c.users.invite(form, actorOf(req));
      flash(req, 'success', res.locals.t('Invitation envoyée à {email}.', { email: user.email }));
      res.redirect('/admin/users');
    });
  });

  router.post('/:id/resend', (req, res) =>
    onAccount(req, res, async (id) => {
      await c.users.resendInvitation(id, actorOf(req));
      const user = await c.users.get(id);
      return res.locals.t('Invitation renvoyée à {email}.', { email: user.email });
    }),
  );

  router.post('/:id/role', (req, res) =>
    onAccount(req, res, async (id) => {
      const form = parseForm(RoleSchema, req.body);
      await c.users.changeRole(id, form.role, actorOf(req));
      const user = await c.users.get(id);
      return res.locals.t('{name} est désormais : {role}.', { name: user.displayName, role: res.locals.roleLabel(user.role) });
    }),
  );

  router.post('/:id/disable', (req, res) =>
    onAccount(req, res, async (id) => {
      await c.users.setDisabled(id, true, actorOf(req));
      const user = await c.users.get(id);
      return res.locals.t('Le compte de {name} est désactivé.', { name: user.displayName });
    }),
  );

  router.post('/:id/enable', (req, res) =>
    onAccount(req, res, async (id) => {
      await c.users.setDisabled(id, false, actorOf(req));
      const user = await c.users.get(id);
      return res.locals.t('Le compte de {name} est réactivé.', { name: user.displayName });
    }),
  );

  return router;
}

/** Back to the list page the action came from. */
function backTo(req: Request): string {
  const page = typeof req.body?.page === 'string' && /^\d{1,6}$/.test(req.body.page) && req.body.page !== '1' ? `?page=${req.body.page}` : '';
  return `/admin/users${page}`;
}
