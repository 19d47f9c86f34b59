import crypto from 'node:crypto';
import { Router } from 'express';
import type { Container } from '../container';
import type { CommuneSettings } from '../settings/settings.defaults';
import { themeCss } from '../settings/settings.routes';

/**
 * The commune's colours under an address that names them: /theme-<hash of the CSS>.css. A colour
 * change gives a new address, which the public and admin layouts link at once (their pages are
 * revalidated on every visit), so the stylesheet itself can be kept for a year without ever
 * showing old colours. /theme.css stays for any old link.
 */
export function themeVersion(css: string): string {
  return crypto.createHash('sha256').update(css).digest('hex').slice(0, 12);
}

export function themePath(s: CommuneSettings): string {
  return `/theme-${themeVersion(themeCss(s))}.css`;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

export function versionedThemeRoutes(c: Pick<Container, 'settings'>): Router {
  const router = Router();
  router.get('/theme-:version.css', async (req, res) => {
    const css = themeCss(await c.settings.get());
    const version = themeVersion(css);
    // Another version (a page rendered before a change, or by an instance that has not seen it
    // yet): today's colours, but not to be kept under a name that says otherwise.
    res.set({ 'Cache-Control': req.params.version === version ? IMMUTABLE : 'no-cache', ETag: `"${version}"`, 'Content-Type': 'text/css; charset=utf-8' });
    if (req.get('if-none-match') === `"${version}"`) {
      res.status(304).end();
      return;
    }
    res.send(css);
  });
  return router;
}
