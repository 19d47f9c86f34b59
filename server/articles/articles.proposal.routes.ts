import { Router } from 'express';
import { z } from 'zod';
import { requirePermission } from '../auth/auth.middleware';
import { flash } from '../http/flash';
import { renderPage } from '../http/render';
import { ValidationError } from '../http/errors';
import { lineDiff } from './diff';
import { renderMarkdown } from './markdown';
import { snapshotOf } from './articles.rules';
import type { ArticleSnapshot } from './articles.types';
import { actorFor, common, idParam, numericParams, tr, type ArticlePageDeps } from './articles.views';

const COMPARED: (keyof ArticleSnapshot)[] = [
  'title',
  'slug',
  'summary',
  'categoryId',
  'heroMediaId',
  'heroAlt',
  'eventStart',
  'eventEnd',
  'eventPlace',
  'urgent',
  'publishAt',
];

const NO_REASON = 'Dites pourquoi la modification est refusée : son auteur lira ce motif.';
const RefuseSchema = z.object({
  reason: z.string({ error: NO_REASON }).trim().min(1, NO_REASON).max(1000, 'Le motif est trop long (1 000 caractères au plus).'),
});

/**
 * A change proposed to an online article (approval required): what it changes, shown to the
 * elected member against the text that is online, and their decision.
 */
export function articleProposalRoutes(c: ArticlePageDeps): Router {
  const router = Router();

  router.get('/:id/proposal', numericParams, requirePermission('articles.read'), async (req, res) => {
    const article = await c.articles.getOrFail(idParam(req.params.id));
    const proposal = (await c.articles.revisions.pending(article.id)) ?? (await c.articles.revisions.latest(article.id));
    const online = snapshotOf(article);
    await renderPage(res, 'admin/articles/proposal', {
      ...common(c),
      title: tr(res)('Modification proposée'),
      article,
      proposal,
      changes: proposal
        ? COMPARED.filter((k) => JSON.stringify(proposal.snapshot[k]) !== JSON.stringify(online[k])).map((k) => ({
            field: k,
            now: online[k],
            proposed: proposal.snapshot[k],
          }))
        : [],
      diff: proposal ? lineDiff(article.bodyMd, proposal.snapshot.bodyMd) : null,
      html: proposal ? renderMarkdown(proposal.snapshot.bodyMd) : '',
      categories: await c.articles.listCategories(),
    });
  });

  router.post('/:id/proposal/approve', numericParams, requirePermission('articles.approve'), async (req, res) => {
    const id = idParam(req.params.id);
    await c.articles.approveProposal(id, actorFor(req));
    flash(req, 'success', tr(res)('Modification approuvée : le site et les canaux montrent maintenant le nouveau texte.'));
    res.redirect(`/admin/articles/${id}`);
  });

  router.post('/:id/proposal/refuse', numericParams, requirePermission('articles.approve'), async (req, res) => {
    const id = idParam(req.params.id);
    await c.articles.getOrFail(id);
    // Said in the page's message (the error page shows no field): the reason is the one field.
    const parsed = RefuseSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? NO_REASON);
    const { reason } = parsed.data;
    await c.articles.refuseProposal(id, reason, actorFor(req));
    flash(req, 'success', tr(res)('Modification refusée : le site garde le texte approuvé. Son auteur verra votre motif.'));
    res.redirect(`/admin/articles/${id}`);
  });

  return router;
}
