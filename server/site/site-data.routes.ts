import { Router } from 'express';
import type { Container } from '../container';
import { apiRoutes } from './api.routes';
import { feedsRoutes } from './feeds.routes';
import { openDataRoutes } from './opendata.routes';
import { searchRoutes } from './search.routes';
import { versionedThemeRoutes } from './theme.routes';

/**
 * What the site offers besides its pages: search, feeds, sitemap, open data, the public API and
 * the commune's colours.
 * Mounted before siteRoutes; none of these paths is one of its pages.
 */
export function siteDataRoutes(c: Pick<Container, 'search' | 'feeds' | 'openData' | 'publicApi' | 'config' | 'clock' | 'settings'>): Router {
  const router = Router();
  router.use(searchRoutes(c, c.search));
  router.use(feedsRoutes(c.feeds));
  router.use(openDataRoutes(c, c.openData, c.clock));
  router.use('/api/v1', apiRoutes(c.publicApi));
  router.use(versionedThemeRoutes(c));
  return router;
}
