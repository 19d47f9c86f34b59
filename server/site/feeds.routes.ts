import { Router, type Response } from 'express';
import { NotFoundError } from '../http/errors';
import { FEED_TYPES, type FeedFormat, type FeedsService } from './feeds.service';

// Feed readers and crawlers poll often; five minutes of freshness spares the database.
const CACHE_CONTROL = 'public, max-age=300';
const SLUG = /^[a-z0-9-]{1,80}$/;

function send(res: Response, type: string, body: string): void {
  // Express adds the ETag and answers 304 to a reader that already has this version.
  res.set('Cache-Control', CACHE_CONTROL).type(type).send(body);
}

/** RSS, Atom and JSON Feed (whole site and per category), sitemap.xml, robots.txt, agenda.ics. */
export function feedsRoutes(feeds: FeedsService): Router {
  const router = Router();

  const siteFeed = (format: FeedFormat) => async (_req: unknown, res: Response) => send(res, FEED_TYPES[format], await feeds.feed(format));
  router.get('/rss.xml', siteFeed('rss'));
  router.get('/atom.xml', siteFeed('atom'));
  router.get('/feed.json', siteFeed('json'));

  for (const format of ['rss', 'atom'] as const) {
    router.get(`/actualites/categorie/:slug/${format}.xml`, async (req, res) => {
      const slug = req.params.slug;
      if (!SLUG.test(slug)) throw new NotFoundError('Cette catégorie n’existe pas.');
      send(res, FEED_TYPES[format], await feeds.feed(format, slug));
    });
  }

  router.get('/sitemap.xml', async (_req, res) => send(res, 'application/xml; charset=utf-8', await feeds.sitemap()));
  router.get('/robots.txt', (_req, res) => send(res, 'text/plain; charset=utf-8', feeds.robots()));
  router.get('/agenda.ics', async (_req, res) => send(res, 'text/calendar; charset=utf-8', await feeds.calendar()));

  return router;
}
