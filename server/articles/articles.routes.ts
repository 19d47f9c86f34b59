import { Router, type Request, type Response } from 'express';
import { requirePermission } from '../auth/auth.middleware';
import { explainSkippedTimes } from '../i18n/skipped-time';
import { ConflictError, DomainError } from '../http/errors';
import { flash } from '../http/flash';
import { handleForm } from '../http/form';
import { pageFrom, pager } from '../http/pagination';
import { renderPage } from '../http/render';
import { scrollableTables } from '../http/scrollable-tables';
import { parseForm } from '../http/validate';
import {
  articleFormSchema,
  filtersFromQuery,
  formToInput,
  IntentSchema,
  PreviewSchema,
  TransitionSchema,
  valuesFromArticle,
  valuesFromBody,
  VersionSchema,
} from './articles.schemas';
import { STATUSES } from './articles.types';
import { actorFor, common, numericParams, formPage, idParam, showPage, slugNote, tr, type ArticlePageDeps } from './articles.views';
import { articleVersionsRoutes } from './articles.versions.routes';
import { articleProposalRoutes } from './articles.proposal.routes';
import { articlePreviewAdminRoutes } from './articles.preview.routes';
import { articleScheduleRoutes, publishedMessage, scheduledMessage } from './articles.schedule.routes';
import type { ArticleForm } from './articles.schemas';
import type { Article, ArticleSnapshot } from './articles.types';

/** A snapshot's fields as an article's, to fill the form with a proposal. */
function snapshotDates(s: ArticleSnapshot): Partial<Article> {
  return {
    ...s,
    eventStart: s.eventStart ? new Date(s.eventStart) : null,
    eventEnd: s.eventEnd ? new Date(s.eventEnd) : null,
    publishAt: s.publishAt ? new Date(s.publishAt) : null,
  };
}

/** The article pages' needs (articles.views.ts), and nothing else. */
type Deps = ArticlePageDeps;

export function articlesRoutes(c: Deps): Router {
  const router = Router();
  const tz = c.config.timeZone;
  const FormSchema = articleFormSchema(tz);

  router.get('/', requirePermission('articles.read'), async (req, res) => {
    const { filters, query } = filtersFromQuery(req.query);
    const p = pageFrom(req.query, 20);
    const [{ rows, total }, categories, authors] = await Promise.all([
      c.articles.list({ ...filters, limit: p.limit, offset: p.offset }),
      c.articles.listCategories(),
      c.articles.listAuthors(),
    ]);
    await renderPage(res, 'admin/articles/list', {
      ...common(c),
      title: tr(res)('Articles'),
      rows,
      total,
      pager: pager(p, total),
      query,
      filtered: Object.keys(query).length > 0,
      statuses: STATUSES,
      categories,
      authors,
    });
  });

  router.get('/new', requirePermission('articles.write'), async (req, res) => {
    await renderPage(res, 'admin/articles/form', await formPage(c, req, res, null, valuesFromBody({})));
  });

  // The editor's "Aperçu": the same rendering and sanitizing as a save, nothing stored.
  router.post('/preview', requirePermission('articles.write'), async (req, res) => {
    const form = parseForm(PreviewSchema, req.body);
    res.json({ html: scrollableTables(c.articles.preview(form.body), tr(res)) });
  });

  /** The article form, its refusals of a time skipped by the spring change told in the reader's words. */
  function readForm(req: Request, res: Response) {
    try {
      return parseForm(FormSchema, req.body);
    } catch (err) {
      throw explainSkippedTimes(err, req.body, tz, res.locals.locale, tr(res));
    }
  }

  /**
   * The form's other buttons: "Programmer" schedules at the form's date, "Publier" publishes now.
   * "Enregistrer" never schedules, and says so when a date to come was typed on an unpublished article.
   */
  async function afterSave(req: Request, res: Response, id: number, form: ArticleForm, intent: 'save' | 'schedule' | 'publish') {
    const t = tr(res);
    const actor = actorFor(req);
    try {
      if (intent === 'schedule') {
        flash(req, 'success', scheduledMessage(res, await c.articles.schedule(id, form.publishAt, actor)));
        return;
      }
      if (intent === 'publish') {
        const article = await c.articles.publishNow(id, actor);
        flash(req, 'success', publishedMessage(res, article, c.articles.isScheduled(article)));
        return;
      }
    } catch (err) {
      // The text is saved: the refusal is said on the article's page rather than losing the save.
      if (!(err instanceof DomainError) || err.status >= 500) throw err;
      flash(req, 'error', t(err.message, err.vars));
      return;
    }
    {
      const article = await c.articles.getOrFail(id);
      if (c.articles.isPlannedOnly(article)) {
        const date = (res.locals.fmtDateTime as (d: Date | null) => string)(article.publishAt);
        flash(req, 'info', t('L’article reste en brouillon : il n’est pas programmé. Pour qu’il parte le {date}, cliquez sur « Programmer ».', { date }));
      }
    }
  }

  router.post('/', requirePermission('articles.write'), async (req, res) => {
    const locals = await formPage(c, req, res, null, valuesFromBody(req.body));
    await handleForm(res, 'admin/articles/form', locals, async () => {
      const { intent } = parseForm(IntentSchema, req.body);
      const form = readForm(req, res);
      if (intent === 'schedule') c.articles.checkScheduleDate(form.publishAt);
      const article = await c.articles.create(formToInput(form), actorFor(req));
      flash(req, 'success', tr(res)('Article enregistré.'));
      const note = slugNote(form.slug, form.title, tr(res));
      if (note) flash(req, 'info', note, 'slug');
      await afterSave(req, res, article.id, form, intent);
      res.redirect(`/admin/articles/${article.id}/edit`);
    });
  });

  router.get('/:id', numericParams, requirePermission('articles.read'), async (req, res) => {
    const article = await c.articles.getOrFail(idParam(req.params.id));
    await renderPage(res, 'admin/articles/show', await showPage(c, req, res, article));
  });

  router.get('/:id/edit', numericParams, requirePermission('articles.write'), async (req, res) => {
    const article = await c.articles.getOrFail(idParam(req.params.id));
    // An editor goes on with their pending proposal, not with the approved text under it.
    const proposal = await c.articles.revisions.pending(article.id);
    const values = proposal
      ? { ...valuesFromArticle({ ...article, ...snapshotDates(proposal.snapshot) }, tz), version: String(article.version) }
      : valuesFromArticle(article, tz);
    await renderPage(res, 'admin/articles/form', await formPage(c, req, res, article, values));
  });

  router.post('/:id', numericParams, requirePermission('articles.write'), async (req, res) => {
    const id = idParam(req.params.id);
    const article = await c.articles.getOrFail(id);
    const locals = await formPage(c, req, res, article, valuesFromBody(req.body));
    await handleForm(res, 'admin/articles/form', locals, async () => {
      try {
        const { version } = parseForm(VersionSchema, req.body);
        const { intent } = parseForm(IntentSchema, req.body);
        const form = readForm(req, res);
        if (intent === 'schedule') c.articles.checkScheduleDate(form.publishAt);
        const result = await c.articles.update(id, formToInput(form), version, actorFor(req));
        const t = tr(res);
        if (result.proposed) flash(req, 'success', t('Modification proposée : le site garde le texte approuvé jusqu’à ce qu’un élu l’approuve.'));
        // Nothing changed in the text: worth saying for "Enregistrer" only ("Programmer" and
        // "Publier maintenant" say what they did next, and "nothing to save" would read as "nothing done").
        else if (!result.changed) {
          if (intent === 'save') flash(req, 'info', t('Aucune modification à enregistrer.'));
        } else flash(req, 'success', t('Article enregistré.'));
        if (result.reopened) flash(req, 'info', t('L’article a changé depuis son approbation : il repart en relecture.'));
        const note = slugNote(form.slug, form.title, t);
        if (note) flash(req, 'info', note, 'slug');
        await afterSave(req, res, id, form, intent);
        res.redirect(`/admin/articles/${id}/edit`);
      } catch (err) {
        // The text typed stays in the form; saving again knowingly replaces the newer version.
        if (err instanceof ConflictError) {
          const current = await c.articles.get(id);
          if (current) Object.assign(locals, { values: { ...locals.values, version: String(current.version) }, conflict: current });
        }
        throw err;
      }
    });
  });

  router.post('/:id/status', numericParams, requirePermission('articles.read'), async (req, res) => {
    const id = idParam(req.params.id);
    const { to } = parseForm(TransitionSchema, req.body);
    const article = to === 'published' ? await c.articles.publishNow(id, actorFor(req)) : await c.articles.transition(id, to, actorFor(req));
    const t = tr(res);
    const messages = {
      draft: t('Article renvoyé en brouillon.'),
      review: t('Article soumis à la relecture.'),
      // An approval can also schedule it: the editor had asked "Programmer" (articles.schedule.ts).
      approved:
        article.status === 'published'
          ? t('Article approuvé : il est programmé comme demandé, pour le {date}.', {
              date: (res.locals.fmtDateTime as (d: Date | null) => string)(article.publishAt),
            })
          : t('Article approuvé.'),
      published: publishedMessage(res, article, c.articles.isScheduled(article)),
      archived: t('Article archivé.'),
    };
    flash(req, 'success', messages[to]);
    // Off the site, but still on the networks: offer to remove its posts there too.
    if ((to === 'draft' || to === 'archived') && res.locals.can('articles.publish') && (await c.retractions.hasPosts(id))) {
      res.redirect(`/admin/articles/${id}/retract`);
      return;
    }
    res.redirect(`/admin/articles/${id}${res.locals.can('articles.write') ? '/edit' : ''}`);
  });

  router.post('/:id/delete', numericParams, requirePermission('articles.delete'), async (req, res) => {
    // Deleting the article forgets its posts' addresses: first the choice of removing them.
    if (await c.retractions.hasPosts(idParam(req.params.id))) {
      res.redirect(`/admin/articles/${idParam(req.params.id)}/retract?then=delete`);
      return;
    }
    await c.articles.delete(idParam(req.params.id), actorFor(req));
    flash(req, 'success', tr(res)('Article supprimé.'));
    res.redirect('/admin/articles');
  });

  router.use(articleVersionsRoutes(c));
  router.use(articleScheduleRoutes(c));
  router.use(articleProposalRoutes(c));
  router.use(articlePreviewAdminRoutes(c));
  return router;
}
