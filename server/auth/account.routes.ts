import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Container } from '../container';
import { flash } from '../http/flash';
import { handleForm } from '../http/form';
import { renderPage } from '../http/render';
import { parseForm } from '../http/validate';
import { EmailChangeSchema, NewPasswordSchema, ProfileSchema } from './account.schemas';
import { requireLogin } from './auth.middleware';
import { ChangePasswordSchema, LocaleSchema } from './auth.schemas';
import { PASSWORD_RULE } from './password-policy';

/** What these routes use of the container, and nothing else. */
type Deps = Pick<Container, 'auth' | 'users' | 'account'>;

const NEW_PASSWORD = '/admin/account/new-password';
// What a person whose printed password is still in use may reach: the page that replaces it, and the way out.
const WHILE_FORCED = new Set([NEW_PASSWORD, '/admin/logout']);

function wantsJson(req: Request): boolean {
  return req.path.startsWith('/api/') || (!!req.get('accept')?.includes('application/json') && !req.accepts('html'));
}

/**
 * A password Crieur printed (console at first start, command line) opens nothing but the page
 * that replaces it: every other admin address leads there, before anything else.
 */
function replacePrintedPasswordFirst(req: Request, res: Response, next: NextFunction): void {
  if (!req.user?.mustChangePassword || WHILE_FORCED.has(req.originalUrl.split('?')[0] ?? '')) return next();
  if (wantsJson(req)) {
    res.status(403).json({ error: res.locals.t('Choisissez d’abord votre propre mot de passe.') });
    return;
  }
  res.redirect(req.method === 'GET' || req.method === 'HEAD' ? 302 : 303, NEW_PASSWORD);
}

/** "Mon compte": one's name, address, password and language; and the first-login password page. */
export function accountRoutes(c: Deps): Router {
  const router = Router();
  router.use('/admin', replacePrintedPasswordFirst);

  async function accountLocals(req: Request, res: Response, values: Record<string, unknown> = {}) {
    const pending = await c.account.pendingEmail(req.user!);
    return {
      title: res.locals.t('Mon compte'),
      rule: PASSWORD_RULE,
      pending,
      values: { displayName: req.user!.displayName, email: '', ...values },
    };
  }

  router.get('/admin/account', requireLogin, async (req, res) => {
    await renderPage(res, 'admin/auth/account', await accountLocals(req, res));
  });

  router.post('/admin/account/profile', requireLogin, async (req, res) => {
    const values = { displayName: String(req.body?.displayName ?? '') };
    await handleForm(res, 'admin/auth/account', await accountLocals(req, res, values), async () => {
      const form = parseForm(ProfileSchema, req.body);
      await c.account.rename(req.user!, form.displayName);
      flash(req, 'success', res.locals.t('Votre nom est enregistré.'));
      res.redirect('/admin/account');
    });
  });

  router.post('/admin/account/email', requireLogin, async (req, res) => {
    const values = { email: String(req.body?.email ?? '') };
    await handleForm(res, 'admin/auth/account', await accountLocals(req, res, values), async () => {
      const form = parseForm(EmailChangeSchema, req.body);
      await c.account.requestEmailChange(req.user!, form.email, form.current);
      flash(
        req,
        'success',
        res.locals.t('Un lien de confirmation est parti à {email}. Votre adresse changera quand vous l’aurez suivi.', { email: form.email.toLowerCase() }),
      );
      res.redirect('/admin/account');
    });
  });

  router.post('/admin/account/email/cancel', requireLogin, async (req, res) => {
    await c.account.cancelEmailChange(req.user!);
    flash(req, 'success', res.locals.t('Le changement d’adresse est annulé : votre adresse reste la même.'));
    res.redirect('/admin/account');
  });

  // Opening the link only shows a button: mail software that follows links changes nothing.
  router.get('/admin/account/email/:token', requireLogin, async (req, res) => {
    const email = await c.account.emailLink(req.user!, req.params.token as string);
    if (!email) {
      await renderPage(res, 'admin/auth/email-confirm', { title: res.locals.t('Lien expiré'), email: '' }, 410);
      return;
    }
    await renderPage(res, 'admin/auth/email-confirm', { title: res.locals.t('Confirmer votre nouvelle adresse'), email, token: req.params.token });
  });

  router.post('/admin/account/email/:token', requireLogin, async (req, res) => {
    const token = req.params.token as string;
    const locals = { title: res.locals.t('Lien expiré'), email: '', token };
    await handleForm(res, 'admin/auth/email-confirm', locals, async () => {
      const email = await c.account.confirmEmailChange(req.user!, token);
      flash(req, 'success', res.locals.t('Votre adresse est désormais {email}.', { email }));
      res.redirect('/admin/account');
    });
  });

  router.post('/admin/account/password', requireLogin, async (req, res) => {
    await handleForm(res, 'admin/auth/account', await accountLocals(req, res), async () => {
      const form = parseForm(ChangePasswordSchema, req.body);
      await c.auth.changeOwnPassword(req.user!, form.current, form.password, req.sessionID);
      flash(req, 'success', res.locals.t('Votre mot de passe a été changé. Vos autres sessions sont fermées.'));
      res.redirect('/admin/account');
    });
  });

  router.post('/admin/account/locale', requireLogin, async (req, res) => {
    await handleForm(res, 'admin/auth/account', await accountLocals(req, res), async () => {
      const form = parseForm(LocaleSchema, req.body);
      await c.users.setLocale(req.user!, form.locale);
      req.session.locale = form.locale;
      flash(req, 'success', form.locale === 'en' ? 'The interface is now in English.' : 'L’interface est désormais en français.');
      res.redirect('/admin/account');
    });
  });

  // The header and menu stay hidden (user: null in the layout): nothing else is reachable yet.
  const forcedLocals = (req: Request, res: Response, values: Record<string, unknown> = {}) => ({
    title: res.locals.t('Choisissez votre mot de passe'),
    user: null,
    account: req.user!,
    rule: PASSWORD_RULE,
    values: { displayName: req.user!.displayName, ...values },
  });

  router.get(NEW_PASSWORD, requireLogin, async (req, res) => {
    if (!req.user!.mustChangePassword) return res.redirect('/admin/account');
    await renderPage(res, 'admin/auth/new-password', forcedLocals(req, res));
  });

  router.post(NEW_PASSWORD, requireLogin, async (req, res) => {
    if (!req.user!.mustChangePassword) return res.redirect(303, '/admin/account');
    await handleForm(res, 'admin/auth/new-password', forcedLocals(req, res, { displayName: String(req.body?.displayName ?? '') }), async () => {
      const form = parseForm(NewPasswordSchema, req.body);
      await c.account.replacePrintedPassword(req.user!, form.password, form.displayName, req.sessionID);
      // The address made up at installation (admin@crieur.localhost) reaches nobody: say so at once.
      if (/\.localhost$|@localhost$/i.test(req.user!.email)) {
        flash(
          req,
          'info',
          res.locals.t('Votre mot de passe est enregistré. Votre adresse de connexion est encore {email}, qui ne reçoit rien : indiquez la vôtre ci-dessous.', {
            email: req.user!.email,
          }),
        );
        res.redirect('/admin/account#email');
        return;
      }
      flash(req, 'success', res.locals.t('Votre mot de passe est enregistré. Bienvenue !'));
      res.redirect('/admin');
    });
  });

  return router;
}
