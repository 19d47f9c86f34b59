import { Router, type Request, type Response } from 'express';
import type { Container } from '../container';
import { handleForm } from '../http/form';
import { flash } from '../http/flash';
import { renderPage } from '../http/render';
import { parseForm } from '../http/validate';
import { ForgotSchema, LoginSchema, SetPasswordSchema, safeNext } from './auth.schemas';
import { PASSWORD_RULE } from './password-policy';
import type { User } from './users.repository';

/** What these routes use of the container, and nothing else. */
type Deps = Pick<Container, 'auth' | 'users' | 'usersRepo'>;

function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
}

export function authRoutes(c: Deps): Router {
  const router = Router();
  const bare = { layout: 'admin/layout' };

  router.get('/admin/login', async (req, res) => {
    if (req.user) return res.redirect('/admin');
    await renderPage(res, 'admin/auth/login', { ...bare, title: res.locals.t('Connexion'), values: { next: req.query.next ?? '' } });
  });

  router.post('/admin/login', async (req, res) => {
    const values = { email: String(req.body?.email ?? ''), next: String(req.body?.next ?? '') };
    await handleForm(res, 'admin/auth/login', { ...bare, title: res.locals.t('Connexion'), values }, async () => {
      const form = parseForm(LoginSchema, req.body);
      const user = await c.auth.login(form.email, form.password, req.ip ?? 'unknown');
      // A new session id at login defeats session fixation.
      await regenerate(req);
      req.session.userId = user.id;
      res.redirect(safeNext(form.next));
    });
  });

  router.post('/admin/logout', async (req, res) => {
    if (req.user) await c.auth.logout(req.user);
    await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
    res.clearCookie('crieur.sid', { path: '/admin' });
    res.redirect('/admin/login?bye=1');
  });

  router.get('/admin/forgot', async (_req, res) => {
    await renderPage(res, 'admin/auth/forgot', { ...bare, title: res.locals.t('Mot de passe oublié') });
  });

  router.post('/admin/forgot', async (req, res) => {
    const values = { email: String(req.body?.email ?? '') };
    await handleForm(res, 'admin/auth/forgot', { ...bare, title: res.locals.t('Mot de passe oublié'), values }, async () => {
      const form = parseForm(ForgotSchema, req.body);
      await c.users.requestPasswordReset(form.email);
      await renderPage(res, 'admin/auth/forgot', { ...bare, title: res.locals.t('Mot de passe oublié'), sent: true });
    });
  });

  /**
   * A disabled account's link could only be refused on submit: the person is told at once, with
   * the administrators who can turn the account back on.
   */
  async function renderDisabled(res: Response, account: User): Promise<void> {
    const admins = await c.usersRepo.listActiveAdmins(5);
    await renderPage(res, 'admin/auth/set-password', { ...bare, title: res.locals.t('Compte désactivé'), disabled: true, account, admins }, 403);
  }

  router.get('/admin/password/:token', async (req, res) => {
    const user = await c.auth.userForToken(req.params.token);
    if (!user) {
      await renderPage(res, 'admin/auth/set-password', { ...bare, title: res.locals.t('Lien expiré'), expired: true }, 410);
      return;
    }
    if (user.disabledAt) {
      await renderDisabled(res, user);
      return;
    }
    await renderPage(res, 'admin/auth/set-password', {
      ...bare,
      title: res.locals.t('Choisir un mot de passe'),
      account: user,
      token: req.params.token,
      rule: PASSWORD_RULE,
    });
  });

  router.post('/admin/password/:token', async (req, res) => {
    const token = req.params.token;
    const account = await c.auth.userForToken(token);
    if (account?.disabledAt) {
      await renderDisabled(res, account);
      return;
    }
    const locals = { ...bare, title: res.locals.t('Choisir un mot de passe'), account, token, rule: PASSWORD_RULE, expired: !account };
    await handleForm(res, 'admin/auth/set-password', locals, async () => {
      const form = parseForm(SetPasswordSchema, req.body);
      const user = await c.auth.setPasswordWithToken(token, form.password);
      await regenerate(req);
      req.session.userId = user.id;
      flash(req, 'success', res.locals.t('Votre mot de passe est enregistré. Bienvenue !'));
      res.redirect('/admin');
    });
  });

  return router;
}
