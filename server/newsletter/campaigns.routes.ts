import { Router, type Request, type Response } from 'express';
import type { Container } from '../container';
import { actorOf, requirePermission } from '../auth/auth.middleware';
import { flash } from '../http/flash';
import { handleForm } from '../http/form';
import { NotFoundError } from '../http/errors';
import { pageFrom, pager } from '../http/pagination';
import { renderPage } from '../http/render';
import { parseForm } from '../http/validate';
import type { Translate } from '../i18n/i18n';
import { toLocalInput } from '../i18n/format';
import { explainSkippedTimes } from '../i18n/skipped-time';
import type { Campaign } from './campaigns.repository';
import { ComposeSchema, scheduleSchema, TestSendSchema } from './campaigns.schemas';
import { EMAIL_CSP } from './letters.routes';
import { sendingView } from './sending.routes';

/** What these routes use of the container, and nothing else. */
type Deps = Pick<Container, 'campaigns' | 'articles' | 'config' | 'campaignSender'>;

const PERMISSION = requirePermission('newsletter.send');
const CHOOSABLE = 60;

export const KIND_LABELS: Record<string, string> = { digest: 'Lettre régulière', alert: 'Alerte', manual: 'Lettre composée' };
export const STATUS_LABELS: Record<string, string> = {
  draft: 'Brouillon',
  scheduled: 'Programmée',
  started: 'En cours d’envoi',
  sent: 'Envoyée',
  cancelled: 'Annulée',
};
const BADGE: Record<string, string> = { draft: 'planned', scheduled: 'pending', started: 'sending', sent: 'sent', cancelled: 'cancelled' };

function idOf(req: Request): number {
  const raw = String(req.params.id ?? '');
  if (!/^\d{1,9}$/.test(raw)) throw new NotFoundError('Cette lettre n’existe pas.');
  return Number(raw);
}

/**
 * Staff's newsletter pages: the campaigns with their figures, composing a letter from chosen
 * articles, its preview at desktop and phone widths (the e-mail served at its own address and
 * shown in frames: the admin's strict CSP stays whole), test sends, scheduling and cancelling.
 */
export function campaignsRoutes(c: Deps): Router {
  const router = Router();
  const campaigns = c.campaigns;

  router.get('/', PERMISSION, async (req, res) => {
    const t = res.locals.t as Translate;
    const page = pageFrom(req.query, 20);
    const { rows, total } = await campaigns.list({ limit: page.limit, offset: page.offset });
    const clicks = await campaigns.clickTotals(rows.map((r) => r.id));
    await renderPage(res, 'admin/newsletter/index', {
      title: t('Lettre d’information'),
      rows: rows.map((r) => ({ ...r, ...labels(r, t), clicks: clicks.get(r.id) ?? 0 })),
      pager: pager(page, total),
      query: {},
    });
  });

  async function composeLocals(res: Response, values: { subject?: string; intro?: string; articleIds?: number[] }) {
    const t = res.locals.t as Translate;
    const { rows } = await c.articles.list({ status: 'published', limit: CHOOSABLE, offset: 0 });
    return { title: t('Composer une lettre'), articles: rows, values: { subject: '', intro: '', articleIds: [], ...values }, errors: {} };
  }

  router.get('/new', PERMISSION, async (_req, res) => {
    await renderPage(res, 'admin/newsletter/compose', await composeLocals(res, {}));
  });

  router.post('/new', PERMISSION, async (req, res) => {
    const typed = typedCompose(req.body);
    await handleForm(res, 'admin/newsletter/compose', await composeLocals(res, typed), async () => {
      const input = parseForm(ComposeSchema, req.body);
      const id = await campaigns.create(input, actorOf(req));
      flash(req, 'success', (res.locals.t as Translate)('La lettre est enregistrée en brouillon. Vérifiez l’aperçu avant de l’envoyer.'));
      res.redirect(`/admin/newsletter/${id}`);
    });
  });

  async function showLocals(res: Response, id: number, extra: Record<string, unknown> = {}) {
    const t = res.locals.t as Translate;
    const campaign = await campaigns.getOrFail(id);
    const [articles, figures] = await Promise.all([campaigns.articlesOf(id), campaigns.figures(id)]);
    const titles = await Promise.all(articles.map(async (a) => (await c.articles.get(a.articleId))?.title ?? t('Article supprimé')));
    return {
      title: campaign.subject,
      campaign: { ...campaign, ...labels(campaign, t) },
      articleTitles: titles,
      figures,
      webUrl: campaign.number !== null && campaign.status === 'sent' ? campaigns.webUrl(campaign.number) : null,
      values: { addresses: '', scheduledFor: toLocalInput(campaign.scheduledFor, c.config.timeZone) },
      errors: {},
      // The sending domain shows its progress bar and pause / resume here (views/admin/newsletter/partials/sending.ejs).
      sending: await sendingView(c.campaignSender, t, id),
      ...extra,
    };
  }

  router.get('/:id', PERMISSION, async (req, res) => {
    await renderPage(res, 'admin/newsletter/show', await showLocals(res, idOf(req)));
  });

  // The e-mail itself, for the preview frames: its inline styles need their own policy, and only
  // this document gets it. Never framed by anything but the admin (frame-ancestors 'self').
  router.get('/:id/preview.html', PERMISSION, async (req, res) => {
    const prepared = await campaigns.preview(idOf(req));
    const { html } = prepared.personalise(await campaigns.everyTopic('apercu@exemple.invalid'), campaigns.exampleLinks());
    res.set({ 'Content-Security-Policy': EMAIL_CSP, 'Cache-Control': 'no-store', 'X-Frame-Options': 'SAMEORIGIN' }).type('html').send(html);
  });

  router.get('/:id/preview.txt', PERMISSION, async (req, res) => {
    const prepared = await campaigns.preview(idOf(req));
    const { text } = prepared.personalise(await campaigns.everyTopic('apercu@exemple.invalid'), campaigns.exampleLinks());
    res.set('Cache-Control', 'no-store').type('text/plain; charset=utf-8').send(text);
  });

  router.post('/:id/test', PERMISSION, async (req, res) => {
    const id = idOf(req);
    const t = res.locals.t as Translate;
    const locals = await showLocals(res, id, { values: { addresses: String(req.body?.addresses ?? '').slice(0, 2000), scheduledFor: '' } });
    await handleForm(res, 'admin/newsletter/show', locals, async () => {
      const { addresses } = parseForm(TestSendSchema, req.body);
      const n = await campaigns.testSend(id, addresses, actorOf(req));
      flash(req, 'success', t(n === 1 ? 'Le test est parti vers {n} adresse.' : 'Le test est parti vers {n} adresses.', { n }));
      res.redirect(`/admin/newsletter/${id}`);
    });
  });

  router.post('/:id/schedule', PERMISSION, async (req, res) => {
    const id = idOf(req);
    const t = res.locals.t as Translate;
    // A refused time stays in the field, as typed, beside its refusal.
    const typed = req.body?.now ? '' : String(req.body?.scheduledFor ?? '').slice(0, 40);
    const locals = await showLocals(res, id, { values: { addresses: '', scheduledFor: typed } });
    await handleForm(res, 'admin/newsletter/show', locals, async () => {
      let scheduledFor: Date | null;
      try {
        ({ scheduledFor } = parseForm(scheduleSchema(c.config.timeZone), req.body?.now ? {} : req.body));
      } catch (err) {
        throw explainSkippedTimes(err, req.body, c.config.timeZone, res.locals.locale, t);
      }
      await campaigns.schedule(id, scheduledFor, actorOf(req));
      flash(req, 'success', t(scheduledFor ? 'L’envoi de la lettre est programmé.' : 'La lettre part maintenant, dans la plage d’envoi choisie.'));
      res.redirect(`/admin/newsletter/${id}`);
    });
  });

  router.post('/:id/cancel', PERMISSION, async (req, res) => {
    const id = idOf(req);
    const t = res.locals.t as Translate;
    const locals = await showLocals(res, id);
    await handleForm(res, 'admin/newsletter/show', locals, async () => {
      if (req.body?.confirm !== 'yes') {
        await renderPage(res, 'admin/newsletter/show', { ...locals, error: t('Cochez la case pour confirmer l’annulation.') }, 400);
        return;
      }
      await campaigns.cancel(id, actorOf(req));
      flash(req, 'success', t('La lettre est annulée : elle ne partira pas.'));
      res.redirect(`/admin/newsletter/${id}`);
    });
  });

  return router;
}

function labels(c: Campaign, t: Translate) {
  // Sent without a number: there was nobody to send it to (markStarted), which "Envoyée" would hide.
  if (c.status === 'sent' && c.number === null)
    return { kindLabel: t(KIND_LABELS[c.kind] ?? c.kind), statusLabel: t('Envoyée à personne : aucun abonné'), badge: 'cancelled' };
  return { kindLabel: t(KIND_LABELS[c.kind] ?? c.kind), statusLabel: t(STATUS_LABELS[c.status] ?? c.status), badge: BADGE[c.status] ?? 'planned' };
}

function typedCompose(body: unknown) {
  const b = (body ?? {}) as Record<string, unknown>;
  const raw = b.articleIds;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return {
    subject: typeof b.subject === 'string' ? b.subject.slice(0, 300) : '',
    intro: typeof b.intro === 'string' ? b.intro.slice(0, 5000) : '',
    articleIds: list.filter((v): v is string => typeof v === 'string' && /^\d{1,9}$/.test(v)).map(Number),
  };
}
