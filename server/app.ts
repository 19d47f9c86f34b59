import type { RequestListener } from 'node:http';
import path from 'node:path';
import express, { type Express } from 'express';
import compression from 'compression';
import session from 'express-session';
import pinoHttp from 'pino-http';
import type { Container } from './container';
import { loadUser } from './auth/auth.middleware';
import { authRoutes } from './auth/auth.routes';
import { accountRoutes } from './auth/account.routes';
import { attachmentsRoutes, publicAttachmentsRoutes } from './attachments/attachments.routes';
import { usersRoutes } from './auth/users.routes';
import { auditRoutes } from './audit/audit.routes';
import { mailboxRoutes } from './mail/mailbox.routes';
import { settingsRoutes, themeRoutes } from './settings/settings.routes';
import { demoBannerLocals, demoRoutes } from './demo/demo.routes';
import { articlesRoutes } from './articles/articles.routes';
import { categoriesRoutes } from './articles/categories.routes';
import { articlePreviewPageRoutes } from './articles/articles.preview.routes';
import { mediaRoutes, mediaFilesRoutes } from './media/media.routes';
import { healthRoutes } from './health/health.routes';
import { dashboardRoutes } from './admin/dashboard.routes';
import { siteLocals, siteRoutes } from './site/site.routes';
import { answeredByPageCache, frontDoor } from './site/page-cache';
import { siteDataRoutes } from './site/site-data.routes';
import { menuLocals, pagesSiteRoutes } from './pages/pages.site';
import { pagesRoutes } from './pages/pages.routes';
import { publishingRoutes } from './publishing/publishing.routes';
import { accountsRoutes } from './publishing/accounts.routes';
import { jobsRoutes } from './jobs/jobs.routes';
import { audienceRoutes } from './audience/audience.routes';
import { newsletterLocals, subscribeRoutes } from './newsletter/subscribe.routes';
import { subscribersAdminRoutes } from './newsletter/subscribers-admin.routes';
import { campaignsRoutes } from './newsletter/campaigns.routes';
import { sendingRoutes } from './newsletter/sending.routes';
import { webhooksRoutes } from './newsletter/webhooks.routes';
import { lettersRoutes } from './newsletter/letters.routes';
import { newsletterSettingsRoutes } from './newsletter/newsletter-settings.routes';
import { statsRoutes } from './stats/stats.routes';
import { saveSessionBeforeRedirect } from './http/session-redirect';
import { csrfProtection } from './http/csrf';
import { statsReportOptOutRoutes } from './stats/stats-report-optout.routes';
import { safeError, safeRequest, safeResponse } from './http/log-safety';
import { errorHandler } from './http/error-handler';
import { NotFoundError } from './http/errors';
import { refuseNul } from './http/nul-guard';
import { templateLocals } from './http/locals';
import { PUBLIC_DIR } from './http/assets';
import { VIEWS_DIR } from './http/render';
import { securityHeaders } from './http/security-headers';
import { SESSION_TTL_MS } from './auth/session-store';
import { ensureEditorBundle } from './editor/editor-bundle';

/** Builds the Express application without listening, so that tests drive it with supertest. */
export function createApp(c: Container): Express {
  // Before anything is served: the admin pages name the editor's bundle by its content hash.
  ensureEditorBundle(c.log.child({ module: 'editor' }));
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('view engine', 'ejs');
  app.set('views', VIEWS_DIR);
  if (c.config.production) app.set('view cache', true);

  app.use(securityHeaders({ https: c.config.secureCookies }));
  app.use(compression({ filter: (req, res) => !answeredByPageCache(res) && compression.filter(req, res) }));
  app.use(
    pinoHttp({
      logger: c.log.child({ module: 'http' }),
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/static/') },
      // Logs are kept for weeks: no cookie, no signed link, no reader's full address (log-safety.ts).
      serializers: { req: safeRequest, res: safeResponse, err: safeError },
    }),
  );

  // Before sessions: probes and static files must not create sessions or touch the database.
  app.use(healthRoutes(c));
  app.use('/static', express.static(PUBLIC_DIR, { immutable: true, maxAge: '365d', index: false }));
  // Browsers ask for /favicon.ico on every site whatever the page says; a PNG under that name is fine.
  app.get('/favicon.ico', (_req, res) => {
    res.sendFile(path.join(PUBLIC_DIR, 'img', 'favicon.png'), { maxAge: '7d', headers: { 'Content-Type': 'image/png' } });
  });
  app.use(mediaFilesRoutes(c));
  app.use(themeRoutes(c));

  app.use(express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 500 }));
  app.use(express.json({ limit: '1mb' }));
  // Sessions exist for the people who log in, nowhere else: a resident reading the site gets
  // no cookie at all (RULES-FR: audience measurement without a consent banner).
  app.use(
    '/admin',
    session({
      name: 'crieur.sid',
      secret: c.secretKey,
      store: c.sessionStore,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: { httpOnly: true, sameSite: 'lax', secure: c.config.secureCookies, maxAge: SESSION_TTL_MS, path: '/admin' },
    }),
    loadUser(c.usersRepo),
    saveSessionBeforeRedirect,
  );
  app.use(templateLocals(c));
  app.use(siteLocals(c)); // the public layout's logo and date formats, for every public page
  app.use(menuLocals(c)); // the public layout's main menu and footer, built in the admin
  app.use(newsletterLocals(c)); // the subscription form's topics, for the pages that show it
  app.use('/admin', demoBannerLocals(c)); // administrators are told while the demo commune is there
  app.use(
    '/admin',
    csrfProtection({
      checkedAfterUpload: (req) =>
        req.method === 'POST' && (req.path === '/media' || req.path === '/subscribers/import' || /^\/(articles|pages)\/\d+\/attachments$/.test(req.path)),
    }),
  );
  app.use(refuseNul); // after the CSRF check, which parses multipart fields; before any route (see nul-guard.ts)

  app.use(authRoutes(c));
  app.use(accountRoutes(c)); // "Mon compte"; first, a printed password is replaced before any other admin page
  app.use('/admin', dashboardRoutes(c));
  app.use('/admin/users', usersRoutes(c));
  app.use('/admin/audit', auditRoutes(c));
  app.use('/admin/mailbox', mailboxRoutes(c));
  app.use(settingsRoutes(c));
  app.use(demoRoutes(c)); // /admin/settings/demo: removing the demo commune before going live
  app.use(newsletterSettingsRoutes(c)); // /admin/settings/newsletter: the digest's day, sending window, cap, sender
  app.use('/admin', attachmentsRoutes(c)); // an article's documents (before the article routes: the form's block); /admin/settings/attachments
  app.use('/admin/articles', articlesRoutes(c));
  app.use('/admin/categories', categoriesRoutes(c)); // add, rename, reorder, merge, delete
  app.use('/admin/preview', articlePreviewPageRoutes(c)); // an article's private preview link, opened with the site's templates
  app.use('/admin/pages', pagesRoutes(c)); // the commune's pages, the main menu and the footer
  app.use('/admin', mediaRoutes(c)); // at /admin so that it also answers /admin/media.json
  app.use('/admin', publishingRoutes(c));
  app.use('/admin/networks', accountsRoutes(c.networkAccounts));
  app.use('/admin/jobs', jobsRoutes(c));
  app.use('/admin/newsletter', campaignsRoutes(c)); // campaigns: compose, preview, test, schedule, figures
  app.use('/admin', sendingRoutes(c)); // a campaign's send: pause, resume, progress
  app.use(webhooksRoutes(c)); // /webhooks/newsletter/brevo|mailjet: bounces and complaints, by secret
  app.use('/admin/subscribers', subscribersAdminRoutes(c)); // the newsletter's list: search, import, export, erasure
  app.use(audienceRoutes(c)); // /admin/audience, and the public opt-out page /mesure-audience
  app.use(statsRoutes(c)); // /admin/stats: an article's figures, CSV export, monthly report and its e-mail opt-out
  app.use(statsReportOptOutRoutes(c)); // /rapport-mensuel/ne-plus-recevoir/<signed>: the report's e-mail link, without login
  app.use(subscribeRoutes(c)); // /lettre: subscription, a subscriber's own pages, one-click unsubscribe
  app.use(lettersRoutes(c)); // /lettres archive and web versions, /l/ click redirects, /o/ open pixel
  app.use(publicAttachmentsRoutes(c)); // /documents/<id>/<name>: an online article's files
  app.use(siteRoutes(c));
  // After the pages (no path in common) so that the site's layout locals are set for /recherche too.
  app.use(siteDataRoutes(c)); // search, feeds, sitemap, open data, /api/v1
  // Last: a page's address ("/mairie/horaires") never hides one of the routes above.
  app.use(pagesSiteRoutes(c));

  app.use((_req, _res, next) => next(new NotFoundError()));
  // The page locals go along: an error raised before they were set (a body the parsers refused) still gets the error page.
  app.use(errorHandler(c.log, templateLocals(c)));
  return app;
}

/**
 * What the HTTP server runs (main.ts, the browser tests, the benchmark): the page cache's front
 * door, which answers cached public pages itself, then the app for everything else.
 */
export function createHandler(c: Container, app: Express = createApp(c)): RequestListener {
  return frontDoor(c.siteCache, app);
}
