import { Router, type Request, type Response } from 'express';
import { requirePermission } from '../auth/auth.middleware';
import { explainSkippedTimes } from '../i18n/skipped-time';
import { ValidationError } from '../http/errors';
import { flash } from '../http/flash';
import { parseForm } from '../http/validate';
import type { ScheduleOutcome } from './articles.schedule';
import { scheduleSchema } from './articles.schemas';
import type { Article } from './articles.types';
import { actorFor, idParam, numericParams, tr, type ArticlePageDeps } from './articles.views';

type FmtDateTime = (d: Date | null) => string;

/** What "Programmer" did, in the officer's words. */
export function scheduledMessage(res: Response, out: ScheduleOutcome): string {
  const t = tr(res);
  const date = (res.locals.fmtDateTime as FmtDateTime)(out.article.publishAt);
  if (out.kind === 'requested')
    return t('Demande de programmation envoyée : l’article attend l’approbation d’un élu, puis partira le {date}. Il n’est pas encore programmé.', { date });
  if (out.kind === 'moved') return t('Publication déplacée au {date}.', { date });
  return t('Publication programmée le {date}.', { date });
}

/** What "Publier" did: online now, or (an approved date still to come) scheduled. */
export function publishedMessage(res: Response, article: Article, scheduled: boolean): string {
  const t = tr(res);
  return scheduled ? t('Publication programmée le {date}.', { date: (res.locals.fmtDateTime as FmtDateTime)(article.publishAt) }) : t('Article publié.');
}

/** "Programmer" / "Déplacer" with the date alone, and "Déprogrammer". */
export function articleScheduleRoutes(c: ArticlePageDeps): Router {
  const router = Router();
  const Schema = scheduleSchema(c.config.timeZone);
  const back = (req: Request, res: Response, id: number) => res.redirect(`/admin/articles/${id}${res.locals.can('articles.write') ? '/edit' : ''}`);

  router.post('/:id/schedule', numericParams, requirePermission('articles.publish'), async (req, res) => {
    const id = idParam(req.params.id);
    await c.articles.getOrFail(id);
    let at: Date | null;
    try {
      at = parseForm(Schema, req.body).publishAt;
    } catch (err) {
      // No form to show the field's refusal beside: the error page says it instead of "correct the fields".
      const explained = explainSkippedTimes(err, req.body, c.config.timeZone, res.locals.locale, tr(res));
      const reason = explained instanceof ValidationError ? explained.fields.publishAt : undefined;
      throw reason ? new ValidationError(reason, { publishAt: reason }) : explained;
    }
    const out = await c.articles.schedule(id, at, actorFor(req));
    flash(req, 'success', scheduledMessage(res, out));
    back(req, res, id);
  });

  router.post('/:id/unschedule', numericParams, requirePermission('articles.publish'), async (req, res) => {
    const id = idParam(req.params.id);
    await c.articles.unschedule(id, actorFor(req));
    flash(req, 'success', tr(res)('Programmation annulée : l’article est revenu en brouillon et ne partira pas.'));
    back(req, res, id);
  });

  return router;
}
