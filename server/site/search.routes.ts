import { Router } from 'express';
import type { Container } from '../container';
import { pageFrom, pager } from '../http/pagination';
import { renderPage } from '../http/render';
import { pageMeta } from './metadata';
import { SearchQuerySchema } from './site-data.schemas';
import type { SearchService } from './search.service';

const PER_PAGE = 10;

/** /recherche: the search page. Any query answers 200, even "*", quotes or "<script>". */
export function searchRoutes(c: Pick<Container, 'config'>, search: SearchService): Router {
  const router = Router();

  router.get('/recherche', async (req, res) => {
    const { q } = SearchQuerySchema.parse(req.query);
    const page = pageFrom(req.query, PER_PAGE);
    const outcome = q ? await search.search(q, page) : null;
    const last = outcome ? pager(page, outcome.total).pages : 1;
    if (outcome && outcome.total > 0 && page.page > last) {
      // A page past the end (an old link, fewer results since): the last page rather than an empty list.
      res.redirect(302, `/recherche?${new URLSearchParams(last > 1 ? { q, page: String(last) } : { q }).toString()}`);
      return;
    }
    const t = res.locals.t;
    const title = q ? t('Recherche : « {q} »', { q }) : t('Rechercher');
    const meta = pageMeta(
      { title, description: t('Rechercher dans les actualités de {commune}.', { commune: res.locals.commune.name }), path: '/recherche', noindex: true },
      c,
    );
    await renderPage(res, 'site/search', { title, meta, q, outcome, pager: outcome ? pager(page, outcome.total) : null, first: page.offset + 1 });
  });

  return router;
}
