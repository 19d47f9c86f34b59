import { Router, type Request, type Response } from 'express';
import type { Container } from '../container';
import { requirePermission } from '../auth/auth.middleware';
import { DomainError, ValidationError } from '../http/errors';
import { handleForm } from '../http/form';
import { pageFrom, pager } from '../http/pagination';
import { renderPage } from '../http/render';
import { parseForm } from '../http/validate';
import type { PageMeta } from '../site/metadata.types';
import { hasOptOutCookie, sendsPrivacySignal, type Source } from './audience.classify';
import { sourceWords } from './audience.labels';
import { isValidOptOutToken, issueOptOutToken, OPT_OUT_COOKIE, OPT_OUT_MAX_AGE_MS } from './audience.optout';
import type { Period } from './audience.report';
import { EXPIRED_MESSAGE, OptOutSchema, PERIOD_MESSAGE, ReportQuerySchema } from './audience.schemas';

/** What these routes use of the container, and nothing else. */
type Deps = Pick<Container, 'audience' | 'clock' | 'config' | 'secretKey' | 'engagement'>;

export { SOURCE_LABELS } from './audience.labels';

const PER_PAGE = 25;
export const OPT_OUT_PATH = '/mesure-audience';

/**
 * The mayor's audience page (/admin/audience) and the residents' opt-out page (/mesure-audience,
 * public: no session, so its form carries a signed token instead of the session's CSRF token).
 */
export function audienceRoutes(c: Deps): Router {
  const router = Router();

  router.get('/admin/audience', requirePermission('stats.read'), async (req, res) => {
    const query = ReportQuerySchema.safeParse({ periode: typeof req.query.periode === 'string' ? req.query.periode : undefined });
    if (!query.success) throw new ValidationError(PERIOD_MESSAGE);
    const days = Number(query.data.periode) as Period;
    const page = pageFrom(req.query, PER_PAGE);
    const [report, demo] = await Promise.all([c.audience.report({ days, limit: page.limit, offset: page.offset }), c.engagement.hasDemo()]);
    await renderPage(res, 'admin/audience/index', {
      title: res.locals.t('Audience du site'),
      report,
      // The dashboard's demo history is not audience data: say why the two pages differ.
      demo,
      days,
      pager: pager(page, report.articlesTotal),
      query: { periode: String(days) },
      sourceLabel: (s: Source) => sourceWords(res.locals.t, s, c.audience.channelLabel),
      percent: (share: number) =>
        new Intl.NumberFormat(res.locals.locale === 'en' ? 'en-GB' : 'fr-FR', { style: 'percent', maximumFractionDigits: 1 }).format(share),
      number: (n: number) => new Intl.NumberFormat(res.locals.locale === 'en' ? 'en-GB' : 'fr-FR').format(n),
      dayLabel: (day: string) => res.locals.fmtDate(new Date(`${day}T12:00:00Z`)),
    });
  });

  router.get(OPT_OUT_PATH, async (req, res) => {
    noStore(res);
    const saved = req.query.choix === 'refuser' || req.query.choix === 'accepter' ? req.query.choix : null;
    await renderPage(res, 'site/audience/optout', optOutLocals(c, req, res, { saved }));
  });

  router.post(OPT_OUT_PATH, async (req, res) => {
    noStore(res);
    await handleForm(res, 'site/audience/optout', optOutLocals(c, req, res, { saved: null }), async () => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (!isValidOptOutToken(c.secretKey, body._token, c.clock.now())) throw new DomainError(EXPIRED_MESSAGE, 403);
      const form = parseForm(OptOutSchema, body);
      // Set only when the reader asks, never renewed: 13 months at most (CNIL).
      if (form.choix === 'refuser') {
        res.cookie(OPT_OUT_COOKIE, '1', { maxAge: OPT_OUT_MAX_AGE_MS, path: '/', httpOnly: true, sameSite: 'lax', secure: c.config.secureCookies });
      } else {
        res.clearCookie(OPT_OUT_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: c.config.secureCookies });
      }
      res.redirect(303, `${OPT_OUT_PATH}?choix=${form.choix}`);
    });
  });

  return router;
}

/** The page reflects this browser's own choice and carries a fresh token: no shared cache. */
function noStore(res: Response): void {
  res.set('Cache-Control', 'no-store');
  res.vary('Cookie');
}

function optOutLocals(c: Deps, req: Request, res: Response, extra: { saved: string | null }) {
  const title = res.locals.t('Mesure d’audience');
  const meta: PageMeta = {
    title,
    description: res.locals.t('Ce que le site de la commune mesure, et comment refuser d’être compté.'),
    canonical: `${c.config.baseUrl}${OPT_OUT_PATH}`,
    type: 'website',
    jsonLd: [],
  };
  const optedOut = hasOptOutCookie(req.headers);
  return {
    title,
    meta,
    token: issueOptOutToken(c.secretKey, c.clock.now()),
    optedOut,
    // Confirmed only when the browser did keep (or drop) the cookie.
    saved: extra.saved === (optedOut ? 'refuser' : 'accepter') ? extra.saved : null,
    privacySignal: sendsPrivacySignal(req.headers),
  };
}
