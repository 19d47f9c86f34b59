import { Router } from 'express';
import type { Container } from '../container';
import { apiRoutes } from './api.routes';
import { PublicApiService } from './api.service';
import { feedsRoutes } from './feeds.routes';
import { FeedsService } from './feeds.service';
import { openDataRoutes } from './opendata.routes';
import { OpenDataService } from './opendata.service';
import { SearchRepository } from './search.repository';
import { searchRoutes } from './search.routes';
import { SearchService } from './search.service';
import { SiteRepository } from './site.repository';
import { versionedThemeRoutes } from './theme.routes';

/**
 * What the site offers besides its pages: search, feeds, sitemap, open data, the public API and
 * the commune's colours.
 * Mounted before siteRoutes; none of these paths is one of its pages.
 */
export function siteDataRoutes(c: Container): Router {
  const site = new SiteRepository(c.db);
  const deps = { site, media: c.media, settings: c.settings, config: c.config, clock: c.clock };
  const router = Router();
  router.use(searchRoutes(c, new SearchService(new SearchRepository(c.db, site), site)));
  router.use(feedsRoutes(new FeedsService(deps)));
  router.use(openDataRoutes(c, new OpenDataService(deps), c.clock));
  router.use('/api/v1', apiRoutes(new PublicApiService(deps)));
  router.use(versionedThemeRoutes(c));
  return router;
}
