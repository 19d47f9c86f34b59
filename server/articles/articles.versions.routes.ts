import { Router } from 'express';
import { requirePermission } from '../auth/auth.middleware';
import { NotFoundError } from '../http/errors';
import { flash } from '../http/flash';
import { renderPage } from '../http/render';
import { lineDiff } from './diff';
import { renderMarkdown } from './markdown';
import { snapshotOf } from './articles.rules';
import type { ArticleSnapshot } from './articles.types';
import { actorFor, common, numericParams, idParam, tr, type ArticlePageDeps } from './articles.views';

/** The article pages' needs (articles.views.ts), and nothing else. */
type Deps = ArticlePageDeps;

function versionParam(v: unknown): number {
  if (typeof v !== 'string' || !/^\d{1,9}$/.test(v)) throw new NotFoundError('Cette version de l’article n’existe pas.');
  return Number(v);
}

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

/** An article's history: every saved version, what it changed, and the way back to it. */
export function articleVersionsRoutes(c: Deps): Router {
  const router = Router();

  router.get('/:id/versions', numericParams, requirePermission('articles.read'), async (req, res) => {
    const article = await c.articles.getOrFail(idParam(req.params.id));
    const versions = await c.articles.versions(article.id);
    await renderPage(res, 'admin/articles/versions', { ...common(c), title: tr(res)('Versions de l’article'), article, versions });
  });

  router.get('/:id/versions/:no', numericParams, requirePermission('articles.read'), async (req, res) => {
    const article = await c.articles.getOrFail(idParam(req.params.id));
    const version = await c.articles.version(article.id, versionParam(req.params.no));
    const current = snapshotOf(article);
    const changes = COMPARED.filter((k) => JSON.stringify(version.snapshot[k]) !== JSON.stringify(current[k])).map((k) => ({
      field: k,
      then: version.snapshot[k],
      now: current[k],
    }));
    await renderPage(res, 'admin/articles/version', {
      ...common(c),
      title: tr(res)('Version {n}', { n: version.version }),
      article,
      version,
      isCurrent: version.version === article.version,
      html: renderMarkdown(version.snapshot.bodyMd),
      diff: lineDiff(version.snapshot.bodyMd, article.bodyMd),
      changes,
      categories: await c.articles.listCategories(),
    });
  });

  router.post('/:id/versions/:no/restore', numericParams, requirePermission('articles.write'), async (req, res) => {
    const id = idParam(req.params.id);
    const no = versionParam(req.params.no);
    const { article, changed } = await c.articles.restoreVersion(id, no, actorFor(req));
    const t = tr(res);
    if (changed) flash(req, 'success', t('La version {old} est restaurée : elle devient la version {new}.', { old: no, new: article.version }));
    else flash(req, 'info', t('Cette version est identique à la version actuelle : rien à restaurer.'));
    res.redirect(`/admin/articles/${id}/edit`);
  });

  return router;
}
