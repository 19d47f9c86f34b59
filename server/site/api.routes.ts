import { Router } from 'express';
import { NotFoundError } from '../http/errors';
import { ApiListQuerySchema, parseQuery } from './site-data.schemas';
import type { PublicApiService } from './api.service';

/** /api/v1: read-only JSON for the commune's partners and curious residents. Errors are JSON too. */
export function apiRoutes(api: PublicApiService): Router {
  const router = Router();

  // Read-only public data: any web page may read it, no credentials involved.
  router.use((req, res, next) => {
    res.set('Access-Control-Allow-Origin', '*');
    if (req.method === 'OPTIONS') {
      res.set({ 'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS', 'Access-Control-Max-Age': '86400' }).status(204).end();
      return;
    }
    next();
  });

  router.get('/articles', async (req, res) => {
    res.set('Cache-Control', 'public, max-age=60').json(await api.list(parseQuery(ApiListQuerySchema, req.query)));
  });

  router.get('/articles/:slug', async (req, res) => {
    if (!/^[a-z0-9-]{1,160}$/.test(req.params.slug)) throw new NotFoundError('Cet article n’existe pas ou n’est pas publié.');
    res.set('Cache-Control', 'public, max-age=60').json(await api.get(req.params.slug));
  });

  return router;
}
