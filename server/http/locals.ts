import type { NextFunction, Request, Response } from 'express';
import type { Container } from '../container';
import { can, ROLE_LABELS, type Permission } from '../auth/permissions';
import { translator, type Locale } from '../i18n/i18n';
import { formatDate, formatDateTime } from '../i18n/format';
import { themePath } from '../site/theme.routes';
import { asset } from './assets';
import { scrollableTables } from './scrollable-tables';
import { csrfToken } from './csrf';
import { takeFlash } from './flash';
import { describeMessage, type ChannelMessage } from '../publishing/publishing.messages';

/** What these routes use of the container, and nothing else. */
type Deps = Pick<Container, 'config' | 'settings'>;

/** What every template may use: the translator, the user, the commune, the CSRF token… */
export function templateLocals(c: Deps) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const locale: Locale = req.user?.locale ?? req.session?.locale ?? 'fr';
      const t = translator(locale);
      const tz = c.config.timeZone;
      const commune = await c.settings.get();
      Object.assign(res.locals, {
        t,
        locale,
        user: req.user,
        can: (p: Permission) => can(req.user?.role, p),
        roleLabel: (r: keyof typeof ROLE_LABELS) => t(ROLE_LABELS[r]),
        flash: req.session ? takeFlash(req) : [],
        commune,
        // The colours' address changes with them, so the stylesheet is kept for good (theme.routes.ts).
        themeHref: themePath(commune),
        asset,
        // A rendered text's tables, each in a frame that scrolls sideways on a phone.
        tables: (html: string) => scrollableTables(html, t),
        fmtDateTime: (d: Date | null | undefined) => formatDateTime(d, locale, tz),
        fmtDate: (d: Date | null | undefined) => formatDate(d, locale, tz),
        // A stored code and its values (a publication's error), in the reader's language.
        channelMessage: (m: ChannelMessage | null) => describeMessage(m, t),
        currentPath: req.path,
        timeZone: tz,
        errors: {},
        values: {},
      });
      // Made when a page shows a form, not on every request: a visitor sent from an admin address
      // to the login page gets no session (and no cookie) until that page is shown.
      Object.defineProperty(res.locals, 'csrfToken', { enumerable: true, configurable: true, get: () => (req.session ? csrfToken(req) : '') });
      next();
    } catch (err) {
      next(err);
    }
  };
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      t: import('../i18n/i18n').Translate;
      locale: Locale;
      fmtDateTime: (d: Date | null | undefined) => string;
      fmtDate: (d: Date | null | undefined) => string;
    }
  }
}
