import { Router, type Request } from 'express';
import type { Translate } from '../i18n/i18n';
import { articleUrl } from '../articles/article-url';
import type { Container } from '../container';
import { actorOf, requirePermission } from '../auth/auth.middleware';
import { NotFoundError, ValidationError } from '../http/errors';
import { flash } from '../http/flash';
import { renderPage } from '../http/render';
import { parseForm } from '../http/validate';
import { toLocalInput } from '../i18n/format';
import { SKIPPED_TIME, skippedTimeMessage } from '../i18n/skipped-time';
import { parseChannelPlan, PublicationActionSchema } from './publishing.schemas';
import type { Publication } from './publications.repository';
import { describeMessage } from './publishing.messages';
import { countWith } from './post-count';
import { buildPreviews, cardImage, linkPieces } from './post-previews';
import { socialRoutes } from './social.routes';

/** What these routes use of the container, and nothing else. */
type Deps = Pick<
  Container,
  | 'accounts'
  | 'articles'
  | 'clock'
  | 'config'
  | 'publications'
  | 'publishing'
  | 'publishable'
  | 'media'
  | 'channelPorts'
  | 'handoff'
  | 'hashtags'
  | 'retractions'
  | 'audit'
  | 'avatars'
  | 'campaignRenderer'
>;

/** Digits only, and few enough for an integer column: 1e3, 0x10 or 99999999999 name no row. */
function idParam(v: unknown): number {
  if (typeof v !== 'string' || !/^[1-9]\d{0,8}$/.test(v)) throw new NotFoundError();
  return Number(v);
}

/** The channel panel of an article, the publications needing attention, and their actions. */
export function publishingRoutes(c: Deps): Router {
  const router = Router();
  const loadArticle = (id: number) => c.articles.state(id);
  // Hashtags, hand-off posts and retraction: their own file, under the same /admin.
  router.use(socialRoutes(c));

  async function panelLocals(articleId: number) {
    const article = await loadArticle(articleId);
    if (!article) throw new NotFoundError('Cet article n’existe pas.');
    const channels = await c.publishing.channels(articleId);
    const texts = await c.publishing.texts.forArticle(
      articleId,
      channels.map((ch) => ch.account),
    );
    // How many messages each thread makes, for its per-part state.
    const partsTotal = new Map<number, number>();
    for (const ch of channels)
      if (ch.publication?.asThread)
        partsTotal.set(ch.account.id, (await c.publishing.texts.parts(articleId, ch.account.id, ch.publication.textVariant, true)).length);
    return { article, channels, texts, partsTotal, countText: countWith, toLocal: (d: Date | null) => toLocalInput(d, c.config.timeZone) };
  }

  /** Each network's post as it will look, next to the site's card and the newsletter's block. */
  async function previewLocals(locals: Awaited<ReturnType<typeof panelLocals>>, body?: Record<string, unknown>) {
    const article = await c.publishable(locals.article.id);
    if (!article) return { previews: [], sitePreview: null };
    const media = article.heroMediaId ? await c.media.get(article.heroMediaId).catch(() => null) : null;
    const cardUrl = cardImage(media);
    const typed = new Map<number, { text: string; thread: boolean; enabled: boolean }>();
    if (body)
      for (const ch of locals.channels) {
        const text = body[`channel_${ch.account.id}_text`];
        if (typeof text === 'string')
          typed.set(ch.account.id, {
            text,
            thread: body[`channel_${ch.account.id}_thread`] === 'on',
            enabled: body[`channel_${ch.account.id}_enabled`] === 'on',
          });
      }
    const urlFor = (channel: string) => c.channelPorts(article, { id: 0, channel, accountId: 0 }).articleUrl();
    const previews = buildPreviews({
      article,
      channels: locals.channels,
      texts: locals.texts,
      cardUrl,
      articleUrl: urlFor,
      typed,
      avatarFor: (id) => c.avatars.urlFor(id),
    });
    const sitePreview = {
      title: article.title,
      summary: article.summary,
      url: articleUrl(c.config.baseUrl, article.slug),
      image: cardUrl && article.heroAlt.trim() ? { url: cardUrl, alt: article.heroAlt.trim() } : null,
      newsletterUrl: `/admin/articles/${article.id}/newsletter-block.html`,
    };
    return { previews, sitePreview, linkPieces };
  }

  router.get('/articles/:id/channels', requirePermission('articles.read'), async (req, res) => {
    const locals = await panelLocals(idParam(req.params.id));
    await renderPage(res, 'admin/publishing/channels', { title: res.locals.t('Canaux de diffusion'), ...locals, ...(await previewLocals(locals)) });
  });

  router.post('/articles/:id/channels', requirePermission('articles.publish'), async (req, res) => {
    const id = idParam(req.params.id);
    const locals = await panelLocals(id);
    const parsed = parseChannelPlan(
      req.body,
      locals.channels.map((ch) => ch.account.id),
      c.config.timeZone,
    );
    const errors = parsed.errors;
    // A text left as generated is stored as none: it follows the article's title and summary.
    const items = c.publishing.texts.normalise(parsed.items, locals.texts);
    // A time typed in the past would go out at once, or wait as stale: say so instead.
    const oneMinuteAgo = c.clock.now().getTime() - 60_000;
    for (const item of items) {
      const before = locals.channels.find((ch) => ch.account.id === item.accountId)?.publication?.scheduledAt;
      if (item.enabled && item.scheduledAt && item.scheduledAt.getTime() < oneMinuteAgo && item.scheduledAt.getTime() !== before?.getTime()) {
        errors[`channel_${item.accountId}_at`] = 'Cette date est déjà passée : choisissez une date à venir.';
      }
    }
    const tooLong = await c.publishing.texts.problems(
      id,
      items,
      locals.channels.map((ch) => ch.account),
    );
    if (Object.keys(errors).length || Object.keys(tooLong).length) {
      const t = res.locals.t;
      for (const [k, m] of Object.entries(tooLong)) errors[k] = describeMessage(m, t);
      const say = (k: string, v: string) => (v === SKIPPED_TIME && skippedTimeMessage(req.body?.[k], c.config.timeZone, res.locals.locale, t)) || t(v);
      // The times and texts typed stay in the form next to their refusal.
      const typed = Object.fromEntries(
        Object.entries((req.body ?? {}) as Record<string, unknown>).filter(
          ([k, v]) => /^channel_\d+_(at|text|thread|enabled)$/.test(k) && typeof v === 'string' && v.length <= 20_000,
        ),
      );
      await renderPage(
        res,
        'admin/publishing/channels',
        {
          title: t('Canaux de diffusion'),
          ...locals,
          ...(await previewLocals(locals, (req.body ?? {}) as Record<string, unknown>)),
          values: typed,
          errors: Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, say(k, v)])),
          error: t('Le formulaire contient des erreurs : corrigez les champs signalés.'),
        },
        400,
      );
      return;
    }
    await c.publishing.plan(locals.article, items, actorOf(req));
    flash(req, 'success', res.locals.t('Les canaux de diffusion sont enregistrés.'));
    res.redirect(backTo(req, id));
  });

  router.post('/articles/:id/urgent', requirePermission('articles.publish'), async (req, res) => {
    const id = idParam(req.params.id);
    const article = await loadArticle(id);
    if (!article) throw new NotFoundError('Cet article n’existe pas.');
    if (article.status !== 'published') throw new ValidationError('Publiez d’abord l’article : l’alerte part ensuite sur tous les canaux.');
    // Not yet urgent: making it so sends it everywhere (article policy); already urgent: send again.
    if (!(await c.articles.markUrgent(id, actorOf(req)))) await c.publishing.lifecycle.sendEverywhereNow(id, actorOf(req));
    flash(req, 'success', res.locals.t('L’alerte part maintenant sur tous les canaux joignables.'));
    res.redirect(backTo(req, id));
  });

  router.get('/articles/:id/publications.json', requirePermission('articles.read'), async (req, res) => {
    const pubs = await c.publishing.statuses(idParam(req.params.id));
    const t = res.locals.t;
    res.set('Cache-Control', 'no-store').json({ publications: pubs.map((p) => publicationJson(p, t, res.locals.fmtDateTime)) });
  });

  router.post('/publications/:id', requirePermission('articles.publish'), async (req, res) => {
    const id = idParam(req.params.id);
    const { action } = parseForm(PublicationActionSchema, req.body);
    const actor = actorOf(req);
    const t = res.locals.t;
    const p =
      action === 'retry'
        ? await c.publishing.retry(id, actor)
        : action === 'cancel'
          ? await c.publishing.cancel(id, actor)
          : action === 'confirm'
            ? await c.publishing.confirmLate(id, actor)
            : action === 'mark-sent'
              ? await c.publishing.markSent(id, actor)
              : await c.publishing.retract(id, actor);
    const messages: Record<string, string> = {
      retry: 'La publication est renvoyée : elle part dans quelques secondes.',
      cancel: 'La publication est annulée.',
      confirm: 'Envoi confirmé : la publication part dans quelques secondes.',
      'mark-sent': 'La publication est marquée comme envoyée.',
      retract: 'La publication est retirée.',
    };
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({ publication: publicationJson(p, t, res.locals.fmtDateTime) });
      return;
    }
    flash(req, 'success', t(messages[action] as string));
    res.redirect(backTo(req, p.articleId));
  });

  router.get('/publications', requirePermission('articles.read'), async (_req, res) => {
    const [attention, counts, accounts] = await Promise.all([c.publishing.needsAttention(), c.publications.countByStatus(), c.accounts.list()]);
    const titles = new Map<number, string>();
    for (const p of attention) if (!titles.has(p.articleId)) titles.set(p.articleId, (await loadArticle(p.articleId))?.title ?? '');
    await renderPage(res, 'admin/publishing/attention', {
      title: res.locals.t('Publications à surveiller'),
      attention,
      counts,
      titles,
      accounts: new Map(accounts.map((a) => [a.id, a])),
    });
  });

  return router;
}

/** Back to the article page the form came from, or to its channel page. */
function backTo(req: Request, articleId: number): string {
  const ret = typeof req.body?.return_to === 'string' ? req.body.return_to : '';
  return /^\/admin\/[\w/-]*$/.test(ret) ? ret : `/admin/articles/${articleId}/channels`;
}

export const STATUS_LABELS: Record<string, string> = {
  planned: 'Prévue à la publication',
  pending: 'Programmée',
  sending: 'Envoi en cours',
  sent: 'Envoyée',
  failed: 'Échec',
  skipped: 'Ignorée',
  cancelled: 'Annulée',
  uncertain: 'Incertaine',
  held: 'En attente de confirmation',
  retracted: 'Retirée',
  // Taken by the channel, sent later by it (the newsletter's next campaign, a person's hand-off).
  queued: 'En file d’attente',
};

function publicationJson(p: Publication, t: Translate, fmt: (d: Date | null) => string) {
  return {
    id: p.id,
    accountId: p.accountId,
    status: p.status,
    statusLabel: t(STATUS_LABELS[p.status] ?? p.status),
    scheduledAt: p.scheduledAt.toISOString(),
    scheduledAtLabel: fmt(p.scheduledAt),
    sentAtLabel: fmt(p.sentAt),
    attempts: p.attempts,
    lastError: p.lastError ? describeMessage(p.lastError, t) : null,
    externalUrl: p.externalUrl,
  };
}
