import { Router } from 'express';
import type { Container } from '../container';

/** What these routes use of the container, and nothing else. */
type Deps = Pick<Container, 'db'>;

/** For load balancers and the start check: 200 when the database answers, 503 otherwise. */
export function healthRoutes(c: Deps): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const started = Date.now();
    try {
      await c.db.raw('select 1');
      res.set('Cache-Control', 'no-store').json({ status: 'ok', database: 'ok', latencyMs: Date.now() - started });
    } catch {
      res.status(503).set('Cache-Control', 'no-store').json({ status: 'unavailable', database: 'unreachable' });
    }
  });
  return router;
}
