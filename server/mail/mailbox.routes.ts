import { Router, type Request } from 'express';
import type { Container } from '../container';
import { requirePermission } from '../auth/auth.middleware';
import { NotFoundError } from '../http/errors';
import { pageFrom, pager } from '../http/pagination';
import { renderPage } from '../http/render';

/** What these routes use of the container, and nothing else. */
type Deps = Pick<Container, 'mailer'>;

const PER_PAGE = 25;

/**
 * The HTML part of a message is shown in a sandboxed frame with its own policy: no script can
 * run, nothing is fetched from elsewhere, and only our own pages may frame it.
 */
const MESSAGE_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'";

/** Without SMTP_URL, e-mails land in DATA_DIR/mailbox; administrators read them here. */
export function mailboxRoutes(c: Deps): Router {
  const router = Router();
  router.use(requirePermission('mailbox.read'));

  async function messageOf(req: Request) {
    const found = await c.mailer.readMailbox(String(req.params.id));
    if (!found) throw new NotFoundError('Ce message n’est pas dans la boîte locale.');
    return found;
  }

  router.get('/', async (req, res) => {
    const page = pageFrom(req.query, PER_PAGE);
    const { rows, total } = await c.mailer.listMailbox(page);
    await renderPage(res, 'admin/mailbox/index', {
      title: res.locals.t('E-mails envoyés'),
      messages: rows.map((m) => ({ ...m, date: new Date(m.date) })),
      mode: c.mailer.mode,
      pager: pager(page, total),
      query: {},
    });
  });

  router.get('/:id', async (req, res) => {
    const { entry } = await messageOf(req);
    await renderPage(res, 'admin/mailbox/show', { title: entry.subject, message: { ...entry, date: new Date(entry.date) } });
  });

  router.get('/:id/html', async (req, res) => {
    const { entry } = await messageOf(req);
    if (!entry.html) throw new NotFoundError('Ce message n’a pas de version HTML.');
    res.set({ 'Content-Security-Policy': MESSAGE_CSP, 'X-Frame-Options': 'SAMEORIGIN', 'Cache-Control': 'private, no-store' });
    res.type('html').send(entry.html);
  });

  router.get('/:id/eml', async (req, res) => {
    const { entry, raw } = await messageOf(req);
    res.set({ 'Content-Disposition': `attachment; filename="${entry.id}.eml"`, 'Cache-Control': 'private, no-store' });
    res.type('message/rfc822').send(raw);
  });

  return router;
}
