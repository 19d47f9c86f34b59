import { Router, type Request, type Response } from 'express';
import type { Container } from '../container';
import { actorOf, requirePermission } from '../auth/auth.middleware';
import { flash } from '../http/flash';
import { handleForm } from '../http/form';
import { renderPage } from '../http/render';
import { parseForm } from '../http/validate';
import type { Translate } from '../i18n/i18n';
import type { NewsletterSettings } from '../settings/settings.defaults';
import { NewsletterSettingsSchema } from './campaigns.schemas';

/** What these routes use of the container, and nothing else. */
type Deps = Pick<Container, 'settings' | 'config'>;

const VIEW = 'admin/settings/newsletter';
export const DAY_LABELS = ['Dimanche', 'Lundi', 'Mardi', 'Mercredi', 'Jeudi', 'Vendredi', 'Samedi'];

function formValues(s: NewsletterSettings): Record<string, string> {
  return {
    digestDay: String(s.digestDay),
    digestTime: s.digestTime,
    windowStart: s.windowStart,
    windowEnd: s.windowEnd,
    hourlyCap: String(s.hourlyCap),
    senderName: s.senderName,
    senderEmail: s.senderEmail,
  };
}

function typed(body: unknown): Record<string, string> {
  const b = (body ?? {}) as Record<string, unknown>;
  const keys = ['digestDay', 'digestTime', 'windowStart', 'windowEnd', 'hourlyCap', 'senderName', 'senderEmail'];
  return Object.fromEntries(keys.map((k) => [k, typeof b[k] === 'string' ? (b[k] as string).slice(0, 300) : '']));
}

/** The newsletter's day and time, sending window, hourly cap and sender (administrators). */
export function newsletterSettingsRoutes(c: Deps): Router {
  const router = Router();
  const manage = requirePermission('settings.manage');
  const locals = (res: Response, values: Record<string, string>) => ({
    title: (res.locals.t as Translate)('Lettre d’information : jour d’envoi et limites'),
    values,
    days: DAY_LABELS,
    smtpFrom: c.config.smtpFrom,
    errors: {},
  });

  router.get('/admin/settings/newsletter', manage, async (_req, res) => {
    await renderPage(res, VIEW, locals(res, formValues(await c.settings.newsletter())));
  });

  router.post('/admin/settings/newsletter', manage, async (req: Request, res: Response) => {
    await handleForm(res, VIEW, locals(res, typed(req.body)), async () => {
      await c.settings.saveNewsletter(parseForm(NewsletterSettingsSchema, req.body), actorOf(req));
      flash(req, 'success', (res.locals.t as Translate)('Les paramètres de la lettre d’information sont enregistrés.'));
      res.redirect('/admin/settings/newsletter');
    });
  });

  return router;
}
