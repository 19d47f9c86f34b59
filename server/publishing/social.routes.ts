import { Router } from 'express';
import type { Container } from '../container';
import { actorOf, requirePermission } from '../auth/auth.middleware';
import { actorFor } from '../articles/articles.views';
import { NotFoundError } from '../http/errors';
import { flash } from '../http/flash';
import { renderPage } from '../http/render';
import { EMAIL_CSP } from '../newsletter/letters.routes';
import { parseHashtags } from './post-text';

/** What these routes use of the container, and nothing else. */
type Deps = Pick<Container, 'articles' | 'handoff' | 'hashtags' | 'retractions' | 'clock' | 'audit' | 'avatars' | 'campaignRenderer'>;

function idParam(v: unknown): number {
  if (typeof v !== 'string' || !/^[1-9]\d{0,8}$/.test(v)) throw new NotFoundError();
  return Number(v);
}

/** Form values named like `prefix_<id>` and set: the ids. */
function checkedIds(body: unknown, prefix: string): number[] {
  const b = (body ?? {}) as Record<string, unknown>;
  return Object.keys(b)
    .map((k) => new RegExp(`^${prefix}_([1-9]\\d{0,8})$`).exec(k))
    .filter((m): m is RegExpExecArray => !!m && b[m[0]] === 'on')
    .map((m) => Number(m[1]));
}

/**
 * Hashtags per category (administrators), posts to make by hand (officers), and the removal of
 * an article's posts from the networks when it is unpublished or deleted.
 */
export function socialRoutes(c: Deps): Router {
  const router = Router();

  // An account's picture, Crieur's own copy (account-avatars.ts): shown on the networks page and
  // in the previews of the channels page, so readable by whoever may read articles.
  router.get('/networks/:id/avatar', requirePermission('articles.read'), (req, res, next) => {
    const file = c.avatars.path(idParam(req.params.id));
    if (!file) throw new NotFoundError('Ce compte n’a pas d’image.');
    res.sendFile(file, { cacheControl: false, headers: { 'Content-Type': 'image/webp', 'Cache-Control': 'private, max-age=604800' } }, (err) => {
      if (err && (err as { code?: string }).code !== 'ECONNABORTED' && !res.headersSent) next(err);
    });
  });

  // The article as the newsletter will show it: the campaign renderer's own block, in a one-article
  // letter compiled like the real ones (the channels page frames it beside the posts' previews).
  // Its inline styles need the e-mail's policy, which only this document gets.
  router.get('/articles/:id/newsletter-block.html', requirePermission('articles.read'), async (req, res) => {
    const id = idParam(req.params.id);
    const article = await c.articles.state(id);
    const blocks = article ? await c.campaignRenderer.blocks([id]) : [];
    if (!article || !blocks.length) throw new NotFoundError('Cet article n’existe pas.');
    const rendered = await c.campaignRenderer.render({ campaignId: 0, number: null, kind: 'digest', subject: article.title, intro: '', blocks });
    res.set({ 'Content-Security-Policy': EMAIL_CSP, 'Cache-Control': 'no-store', 'X-Frame-Options': 'SAMEORIGIN' }).type('html').send(rendered.web().html);
  });

  router.get('/networks/hashtags', requirePermission('settings.manage'), async (_req, res) => {
    const [categories, tags] = await Promise.all([c.articles.listCategories(), c.hashtags.all()]);
    await renderPage(res, 'admin/publishing/hashtags', { title: res.locals.t('Mots-dièse par catégorie'), categories, tags });
  });

  router.post('/networks/hashtags', requirePermission('settings.manage'), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const categories = await c.articles.listCategories();
    const next = new Map<number, string[]>();
    for (const cat of categories) {
      const raw = body[`tags_${cat.id}`];
      // Anything not a short text is ignored rather than half-saved.
      next.set(cat.id, typeof raw === 'string' ? parseHashtags(raw.slice(0, 500)) : []);
    }
    const now = c.clock.now();
    await c.hashtags.save(next, now);
    await c.audit.append({ actor: actorOf(req), action: 'hashtags.updated', targetType: 'settings' }, now);
    flash(req, 'success', res.locals.t('Les mots-dièse sont enregistrés.'));
    res.redirect('/admin/networks/hashtags');
  });

  router.get('/handoff/:publicationId', requirePermission('articles.publish'), async (req, res) => {
    const item = await c.handoff.page(idParam(req.params.publicationId));
    await renderPage(res, 'admin/publishing/handoff', { title: res.locals.t('Publier à la main sur {network}', { network: item.network }), item });
  });

  router.post('/handoff/:publicationId', requirePermission('articles.publish'), async (req, res) => {
    const id = idParam(req.params.publicationId);
    const address = (req.body as Record<string, unknown> | undefined)?.url;
    try {
      await c.handoff.markDone(id, typeof address === 'string' ? address : '', actorOf(req));
    } catch (err) {
      if ((err as { status?: number }).status !== 400) throw err;
      const item = await c.handoff.page(id);
      await renderPage(
        res,
        'admin/publishing/handoff',
        {
          title: res.locals.t('Publier à la main sur {network}', { network: item.network }),
          item,
          values: { url: typeof address === 'string' ? address.slice(0, 2000) : '' },
          errors: { url: res.locals.t((err as Error).message) },
          error: res.locals.t('Le formulaire contient des erreurs : corrigez les champs signalés.'),
        },
        400,
      );
      return;
    }
    flash(req, 'success', res.locals.t('La publication est marquée comme faite.'));
    res.redirect('/admin');
  });

  router.get('/articles/:id/retract', requirePermission('articles.publish'), async (req, res) => {
    const id = idParam(req.params.id);
    const article = await c.articles.state(id);
    if (!article) throw new NotFoundError('Cet article n’existe pas.');
    const then = req.query.then === 'delete' && res.locals.can('articles.delete') ? 'delete' : '';
    await renderPage(res, 'admin/publishing/retract', {
      title: res.locals.t('Retirer les publications des réseaux'),
      article,
      plan: await c.retractions.plan(id),
      then,
    });
  });

  router.post('/articles/:id/retract', requirePermission('articles.publish'), async (req, res) => {
    const id = idParam(req.params.id);
    const article = await c.articles.state(id);
    if (!article) throw new NotFoundError('Cet article n’existe pas.');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const report = await c.retractions.retract(id, checkedIds(body, 'retract'), checkedIds(body, 'byhand'), actorOf(req));
    const t = res.locals.t;
    if (body.then === 'delete' && res.locals.can('articles.delete')) {
      await c.articles.delete(id, actorFor(req));
      flash(req, 'success', t('Article supprimé.'));
      if (report.failed.length) flash(req, 'error', t('Certaines publications n’ont pas pu être retirées : retirez-les à la main depuis le réseau.'));
      res.redirect('/admin/articles');
      return;
    }
    if (report.failed.length) flash(req, 'error', t('Certaines publications n’ont pas pu être retirées : retirez-les à la main depuis le réseau.'));
    else flash(req, 'success', t('{n} publication(s) retirée(s) des réseaux.', { n: report.retracted.length + report.markedByHand.length }));
    res.redirect(`/admin/articles/${id}/retract`);
  });

  return router;
}
