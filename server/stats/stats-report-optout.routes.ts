import { Router, type Request, type Response } from 'express';
import type { Container } from '../container';
import { renderPage } from '../http/render';
import { privatePage } from '../newsletter/subscribe.routes';
import { REPORT_OPTOUT_PATH } from './stats-report-links';
import type { OptOutLink } from './stats-report.service';

type Deps = Pick<Container, 'statsReports'>;

/** The page an élu can always use, once logged in, to receive the report again (linked from « Mon compte »). */
const CHOICE_PATH = '/admin/stats/rapport-par-email';

/**
 * The monthly report's opt-out link, opened from the e-mail without logging in. A GET only shows
 * the page and its button (mail software and scanners open links); the button's POST, or mail
 * software's one-click POST (List-Unsubscribe-Post), stops the report. There is no session here,
 * hence no CSRF token: the signed link is the proof, as for the newsletter's one-click unsubscribe.
 */
export function statsReportOptOutRoutes(c: Deps): Router {
  const router = Router();
  const path = `${REPORT_OPTOUT_PATH}:token`;

  const step = (res: Response, title: string, paragraphs: string[], extra: Record<string, unknown> = {}, status = 200) =>
    renderPage(res, 'site/newsletter/step', { title, paragraphs, ...extra }, status);

  const refused = (res: Response, link: Extract<OptOutLink, { ok: false }>) => {
    const t = res.locals.t;
    const login = { href: CHOICE_PATH, label: t('Me connecter pour choisir') };
    if (link.reason === 'expired') {
      return step(
        res,
        t('Ce lien a expiré'),
        [
          t(
            'Les liens du rapport mensuel restent valables trois mois. Utilisez celui du dernier rapport reçu, ou connectez-vous : « Mon compte » permet de choisir.',
          ),
        ],
        { link: login },
        410,
      );
    }
    return step(
      res,
      t('Ce lien n’est pas valide'),
      [t('Il est incomplet ou ne vient pas d’un rapport mensuel. Connectez-vous : « Mon compte » permet de choisir.')],
      { link: login },
      404,
    );
  };

  const done = (res: Response) =>
    step(
      res,
      res.locals.t('Vous ne recevrez plus le rapport mensuel'),
      [res.locals.t('Pour le recevoir de nouveau, connectez-vous : « Mon compte » permet de le réactiver.')],
      {
        link: { href: CHOICE_PATH, label: res.locals.t('Recevoir de nouveau le rapport') },
      },
    );

  router.get(path, privatePage, async (req: Request, res: Response) => {
    const link = await c.statsReports.optOutLink(req.params.token);
    if (!link.ok) return refused(res, link);
    if (link.optedOut) return done(res);
    await step(
      res,
      res.locals.t('Ne plus recevoir le rapport mensuel'),
      [res.locals.t('Le 1er de chaque mois, vous recevez par e-mail les chiffres du mois écoulé. Un clic pour ne plus le recevoir.')],
      {
        form: { action: req.originalUrl.split('?')[0], label: res.locals.t('Ne plus recevoir le rapport') },
      },
    );
  });

  router.post(path, privatePage, async (req: Request, res: Response) => {
    const link = await c.statsReports.optOutByLink(req.params.token);
    if (!link.ok) return refused(res, link);
    await done(res);
  });

  return router;
}
