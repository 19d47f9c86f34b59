import { toLocalInput } from '../i18n/format';
import type { NextFunction, Request, Response } from 'express';
import type { Container } from '../container';
import type { Translate } from '../i18n/i18n';
import type { MediaItem } from '../media/media.types';
import { actorOf } from '../auth/auth.middleware';
import { NotFoundError } from '../http/errors';
import type { Article, ArticleActor } from './articles.types';
import type { FormValues } from './articles.schemas';
import { slugify, unwritable } from './slug';
import { allowedTransitions, checkTransition, STATUS_LABELS, transitionLabel } from './workflow';
import { can } from '../auth/permissions';

/** What the article pages use of the container, and nothing else. */
export type ArticlePageDeps = Pick<Container, 'articles' | 'config' | 'media' | 'publishing' | 'retractions' | 'settings'>;

/** Page models for the article views: what each template needs, gathered in one place. */

export interface PickerItem {
  id: number;
  name: string;
  alt: string;
  previewUrl: string | null;
}

function toPickerItem(m: MediaItem): PickerItem {
  const preview = m.previewUrl ?? (m.variants.find((v) => v.kind === 'preview') ?? m.variants[0])?.url ?? null;
  return { id: m.id, name: m.originalName, alt: m.alt, previewUrl: preview };
}

export function actorFor(req: Request): ArticleActor {
  // Routes are behind requirePermission, so there is always a person, held to their role.
  return { ...actorOf(req), role: req.user?.role ?? 'elected' };
}

/**
 * Article routes share /admin/articles/:id/… with other domains (the publishing panel): a path
 * whose id is not a number is left to them, or to the 404 handler.
 */
export function numericParams(req: Request, _res: Response, next: NextFunction): void {
  const ok = Object.values(req.params).every((v) => typeof v === 'string' && /^\d{1,9}$/.test(v));
  next(ok ? undefined : 'route');
}

export function idParam(v: unknown): number {
  if (typeof v !== 'string' || !/^\d{1,9}$/.test(v)) throw new NotFoundError('Cet article n’existe pas ou a été supprimé.');
  return Number(v);
}

export function tr(res: Response): Translate {
  return res.locals.t as Translate;
}

/**
 * What became of a hand-typed address that could not be kept as typed (a script slug.ts cannot
 * transliterate), said next to the field after saving: never a silent replacement.
 */
export function slugNote(typed: string, title: string, t: Translate): string | null {
  if (!unwritable(typed).length) return null;
  const vars = { typed: typed.trim() };
  if (slugify(typed))
    return t(
      'Une partie de l’adresse tapée, « {typed} », ne peut pas s’écrire en lettres latines (seuls les alphabets cyrillique et grec sont transcrits) : elle en a été retirée.',
      vars,
    );
  if (slugify(title))
    return t(
      'L’adresse tapée, « {typed} », ne peut pas s’écrire en lettres latines (seuls les alphabets cyrillique et grec sont transcrits) : elle a été faite à partir du titre.',
      vars,
    );
  return t(
    'L’adresse tapée, « {typed} », ne peut pas s’écrire en lettres latines (seuls les alphabets cyrillique et grec sont transcrits), le titre non plus : elle a été faite à partir du numéro de l’article.',
    vars,
  );
}

/** Shared by every article page: labels and the "scheduled" wording. */
export function common(c: ArticlePageDeps) {
  return {
    statusLabels: STATUS_LABELS,
    transitionLabel,
    isScheduled: (a: Article) => c.articles.isScheduled(a),
  };
}

export async function formPage(c: ArticlePageDeps, req: Request, res: Response, article: Article | null, values: FormValues) {
  const t = tr(res);
  const heroId = /^\d{1,9}$/.test(values.heroMediaId ?? '') ? Number(values.heroMediaId) : null;
  const [categories, library, heroMedia, transitions, authorName] = await Promise.all([
    c.articles.listCategories(),
    c.media.list({ limit: 24, offset: 0 }).then((r) => r.rows.filter((m) => m.status !== 'failed').map(toPickerItem)),
    heroId ? c.media.findById(heroId) : Promise.resolve(null),
    article ? c.articles.transitionsFor(article, actorFor(req)) : Promise.resolve([]),
    article ? c.articles.authorName(article.authorId) : Promise.resolve(null),
  ]);
  // The chosen image stays offered even when it is not among the latest ones.
  const hero: PickerItem | null = heroMedia
    ? toPickerItem(heroMedia)
    : heroId
      ? { id: heroId, name: t('Image n° {id}', { id: heroId }), alt: '', previewUrl: null }
      : null;
  if (hero && !library.some((m) => m.id === hero.id)) library.unshift(hero);
  const actions = await formActions(c, req, article);
  return {
    proposal: article ? await c.articles.revisions.latest(article.id) : null,
    previews: article ? await c.articles.previews.active(article.id) : [],
    actions,
    ...common(c),
    title: article ? t('Modifier l’article') : t('Écrire un article'),
    article,
    values,
    categories,
    library,
    // One way to publish on the form: the action bar's "Publier maintenant", which saves the text
    // typed first. The status card's "Publier" would publish the last saved version instead.
    transitions: actions.canPublishNow ? transitions.filter((to) => to !== 'published') : transitions,
    authorName,
    draftKey: article ? `crieur:article:${article.id}:v${values.version ?? article.version}` : 'crieur:article:new',
    ...(article ? await channelPanel(c, article, `/admin/articles/${article.id}/edit`) : { channels: null }),
  };
}

/** Which of the form's buttons this person gets for this article (views/admin/articles/_actions.ejs). */
async function formActions(c: ArticlePageDeps, req: Request, article: Article | null) {
  const role = req.user?.role ?? null;
  const { requireApproval } = await c.settings.get();
  const status = article?.status ?? 'draft';
  const scheduled = !!article && c.articles.isScheduled(article);
  const online = status === 'published' && !scheduled;
  const canPublishNow = status !== 'published' && allowedTransitions(status, role, requireApproval).includes('published');
  const check = checkTransition(status === 'published' ? 'draft' : status, 'published', role, requireApproval);
  return {
    online,
    scheduled,
    requested: !!article?.scheduleRequested && status === 'review',
    canPublishNow,
    // An alert under approval waits for an elected member like any article: the form says so by the checkbox.
    urgentWaitsForApproval: requireApproval && !online && status !== 'approved',
    needsApproval: !canPublishNow && !scheduled && !check.ok && check.reason === 'needs_approval',
    canSchedule: can(role, 'articles.publish') && status !== 'archived' && !online,
  };
}

/** Locals for the channel panel (views/admin/publishing/panel.ejs) shown under an article. */
async function channelPanel(c: ArticlePageDeps, article: Article, returnTo: string) {
  return {
    channels: await c.publishing.channels(article.id),
    toLocal: (d: Date | null) => toLocalInput(d, c.config.timeZone),
    returnTo,
  };
}

export async function showPage(c: ArticlePageDeps, req: Request, res: Response, article: Article) {
  const [categories, heroMedia, transitions, authorName, approverName] = await Promise.all([
    c.articles.listCategories(),
    article.heroMediaId ? c.media.findById(article.heroMediaId) : Promise.resolve(null),
    c.articles.transitionsFor(article, actorFor(req)),
    c.articles.authorName(article.authorId),
    c.articles.authorName(article.approvedBy),
  ]);
  return {
    proposal: await c.articles.revisions.latest(article.id),
    ...common(c),
    title: article.title,
    article,
    category: categories.find((x) => x.id === article.categoryId) ?? null,
    hero: heroMedia ? toPickerItem(heroMedia) : null,
    transitions,
    authorName,
    approverName,
    ...(await channelPanel(c, article, `/admin/articles/${article.id}`)),
  };
}
