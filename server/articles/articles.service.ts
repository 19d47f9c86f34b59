import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { AuditRepository } from '../audit/audit.repository';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { MediaService } from '../media/media.service';
import type { SettingsService } from '../settings/settings.service';
import { can } from '../auth/permissions';
import { ConflictError, ForbiddenError, NotFoundError } from '../http/errors';
import type { ArticlesRepository } from './articles.repository';
import type {
  Article,
  ArticleActor,
  ArticleEvent,
  ArticleFilters,
  ArticleInput,
  ArticleListItem,
  ArticleSnapshot,
  ArticleStatus,
  ArticleVersion,
  Category,
  PeopleNames,
} from './articles.types';
import { renderMarkdown } from './markdown';
import { allowedTransitions, checkTransition } from './workflow';
import { snapshotOf } from './articles.rules';
import { DomainEvents } from '../events';
import { ArticleSchedule, type ScheduleOutcome } from './articles.schedule';
import type { ArticleRevisionsRepository } from './article-revisions.repository';
import { ArticlePreviews } from './article-previews';
import { ArticleContent } from './articles.content';
import { ArticleProposals } from './articles.proposals';
import { ArticleStatusChanges } from './articles.status';

export interface ArticlesDeps {
  db: Knex;
  repo: ArticlesRepository;
  revisions: ArticleRevisionsRepository;
  people: PeopleNames;
  audit: AuditRepository;
  settings: SettingsService;
  media: MediaService;
  clock: Clock;
  log: Logger;
}

export interface UpdateResult {
  article: Article;
  changed: boolean; // false when the form was saved without any change: no new version
  reopened: boolean; // an approved article edited by someone who cannot approve goes back to review
  /** Approval required and the article is out (or scheduled): the change waits as a proposal, the site keeps the approved text. */
  proposed?: boolean;
}

/** For an approved proposal: who wrote the version, and what must be written with it. */
export interface UpdateOptions {
  versionAuthorId?: number | null;
  within?: (trx: Knex.Transaction) => Promise<void>;
}

/** The article editor's rules: content, slugs, versions, the editorial workflow, the audit trail. */
export class ArticlesService {
  private readonly repo: ArticlesRepository;
  private readonly transactional: ((e: ArticleEvent, trx: Knex.Transaction) => Promise<void>)[] = [];

  private readonly scheduling: ArticleSchedule;
  private readonly content: ArticleContent;
  private readonly proposals: ArticleProposals;
  private readonly status: ArticleStatusChanges;

  readonly revisions: ArticleRevisionsRepository;
  /** Private preview links (article-previews.ts). */
  readonly previews: ArticlePreviews;

  constructor(private readonly d: ArticlesDeps) {
    this.repo = d.repo;
    this.content = new ArticleContent(this.repo, d.media);
    this.revisions = d.revisions;
    this.proposals = new ArticleProposals(this, { db: d.db, audit: d.audit, clock: d.clock, revisions: this.revisions, content: this.content });
    this.previews = new ArticlePreviews({
      db: d.db,
      audit: d.audit,
      clock: d.clock,
      revisions: this.revisions,
      people: d.people,
      getArticle: (id) => this.getOrFail(id),
    });
    this.events.logTo(d.log);
    this.scheduling = new ArticleSchedule(
      {
        getOrFail: (id) => this.getOrFail(id),
        transition: (id, to, actor) => this.transition(id, to, actor),
        announceInTransaction: (e, trx) => this.emitInTransaction(e, trx),
        announce: (e) => this.emit(e),
      },
      {
        db: d.db,
        repo: this.repo,
        now: () => d.clock.now(),
        requireApproval: async () => (await d.settings.get()).requireApproval,
        audit: d.audit,
      },
    );
    this.status = new ArticleStatusChanges(
      {
        getOrFail: (id) => this.getOrFail(id),
        announceInTransaction: (e, trx) => this.emitInTransaction(e, trx),
        announce: (e) => this.emit(e),
        afterApproval: (article, actor) => this.scheduling.afterApproval(article, actor),
      },
      { db: d.db, repo: this.repo, audit: d.audit, settings: d.settings, clock: d.clock },
    );
  }

  /** "Programmer": schedules, moves a schedule, or (approval required) asks for it through review. */
  schedule(id: number, at: Date | null, actor: ArticleActor): Promise<ScheduleOutcome> {
    return this.scheduling.schedule(id, at, actor);
  }

  /** "Publier maintenant": a date still to come typed earlier is a plan, not what this button means. */
  async publishNow(id: number, actor: ArticleActor): Promise<Article> {
    const article = await this.getOrFail(id);
    const now = this.d.clock.now();
    if (article.status !== 'published' && article.publishAt && article.publishAt > now) {
      const { requireApproval } = await this.d.settings.get();
      if (checkTransition(article.status, 'published', actor.role, requireApproval).ok) {
        // The date becomes now, as a move: the channels still timed with the old date (the site's
        // page, held since an unscheduling) come forward with it instead of waiting for that date.
        const at = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
        await this.d.db.transaction(async (trx) => {
          await this.repo.setScheduleRequest(id, at, false, trx);
          const moved = (await this.repo.findById(id, trx)) as Article;
          await this.emitInTransaction({ type: 'updated', article: moved, before: article, actor: { id: actor.id, label: actor.label } }, trx);
        });
      }
    }
    return this.transition(id, 'published', actor);
  }

  /** "Déprogrammer": a scheduled article goes back to draft before it goes out. */
  unschedule(id: number, actor: ArticleActor): Promise<Article> {
    return this.scheduling.unschedule(id, actor);
  }

  /** Announced after each committed change (caches listen here: they must not see uncommitted data). */
  readonly events = new DomainEvents<{ changed: [ArticleEvent] }>();

  /**
   * Called inside the change's own transaction, for what must happen with it or not at all: the
   * publishing engine plans, releases or moves publications here, so that a crash can never leave
   * a published article without its publications. A listener that throws undoes the change.
   */
  onChangeInTransaction(fn: (e: ArticleEvent, trx: Knex.Transaction) => Promise<void>): void {
    this.transactional.push(fn);
  }

  private async emitInTransaction(e: ArticleEvent, trx: Knex.Transaction): Promise<void> {
    for (const fn of this.transactional) await fn(e, trx);
  }

  get(id: number): Promise<Article | null> {
    return this.repo.findById(id);
  }

  /** The fields channel adapters need, in one query (the publishing engine asks through this). */
  publishable(id: number) {
    return this.repo.publishable(id);
  }

  /** An article's status and default time, for the channel panel. */
  state(id: number) {
    return this.repo.state(id);
  }

  /** Title, address and status of the given articles (the figures pages). */
  summaries(ids: number[]) {
    return this.repo.summaries(ids);
  }

  count(): Promise<number> {
    return this.repo.count();
  }

  getBySlug(slug: string): Promise<Article | null> {
    return this.repo.findBySlug(slug);
  }

  list(filters: ArticleFilters): Promise<{ rows: ArticleListItem[]; total: number }> {
    return this.repo.list(filters, this.d.clock.now());
  }

  listCategories(): Promise<Category[]> {
    return this.repo.categories();
  }

  listAuthors(): Promise<{ id: number; name: string }[]> {
    return this.repo.authors();
  }

  authorName(id: number | null): Promise<string | null> {
    return this.repo.userName(id);
  }

  async versions(id: number): Promise<ArticleVersion[]> {
    await this.getOrFail(id);
    return this.repo.versions(id);
  }

  async version(id: number, versionNo: number): Promise<ArticleVersion> {
    const v = await this.repo.version(id, versionNo);
    if (!v) throw new NotFoundError('Cette version de l’article n’existe pas.');
    return v;
  }

  preview(bodyMd: string): string {
    return renderMarkdown(bodyMd);
  }

  /** The status changes this person may make now (the buttons of the article's page). */
  async transitionsFor(article: Article, actor: ArticleActor): Promise<ArticleStatus[]> {
    const { requireApproval } = await this.d.settings.get();
    return allowedTransitions(article.status, actor.role, requireApproval);
  }

  isScheduled(article: Article): boolean {
    return this.scheduling.isScheduled(article);
  }

  isPlannedOnly(article: Article): boolean {
    return this.scheduling.isPlannedOnly(article);
  }

  checkScheduleDate(at: Date | null): asserts at is Date {
    this.scheduling.checkDate(at);
  }

  async create(input: ArticleInput, actor: ArticleActor): Promise<Article> {
    this.mustBeAllowed(actor, 'articles.write');
    const content = await this.content.checked(input, null);
    const now = this.d.clock.now();
    const id = await this.d.db.transaction(async (trx) => {
      // A unique placeholder until the real slug is known: "article-<id>" needs the id.
      const temp = `tmp-${crypto.randomBytes(8).toString('hex')}`;
      const newId = await this.repo.insert(
        { ...content, slug: temp, bodyHtml: renderMarkdown(content.bodyMd) },
        { status: 'draft', authorId: actor.id },
        now,
        trx,
      );
      const slug = await this.content.resolveSlug(input.slug, content.title, newId, trx);
      await this.repo.setSlug(newId, slug, trx);
      await this.repo.insertVersion(newId, 1, snapshotOf({ ...content, slug }), actor.id, now, trx);
      await this.d.audit.append(
        { actor, action: 'article.created', targetType: 'article', targetId: newId, details: { title: content.title, slug } },
        now,
        trx,
      );
      return newId;
    });
    const article = await this.getOrFail(id);
    await this.emit({ type: 'created', article });
    return article;
  }

  /**
   * Saves new content over `expectedVersion`. If someone saved meanwhile, nothing is written and
   * a ConflictError (409) says so, so that nobody silently overwrites a colleague's work.
   */
  async update(
    id: number,
    input: Partial<ArticleInput>,
    expectedVersion: number,
    actor: ArticleActor,
    auditAction = 'article.updated',
    opts: UpdateOptions = {},
  ): Promise<UpdateResult> {
    this.mustBeAllowed(actor, 'articles.write');
    const current = await this.getOrFail(id);
    if (current.version !== expectedVersion) throw this.staleError();
    const content = await this.content.checked(input, current);
    const now = this.d.clock.now();
    const { requireApproval } = await this.d.settings.get();
    const result = await this.d.db.transaction(async (trx) => {
      const slug = input.slug === undefined ? current.slug : await this.content.resolveSlug(input.slug, content.title, id, trx);
      const before = snapshotOf(current);
      const after = snapshotOf({ ...content, slug });
      const fields = (Object.keys(after) as (keyof ArticleSnapshot)[]).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
      // What is online (or scheduled) was approved: an editor's change waits as a proposal, and the
      // site and the channels keep the approved text until an elected member approves it.
      if (requireApproval && current.status === 'published' && !!actor.role && !can(actor.role, 'articles.approve')) {
        const proposed = await this.proposals.propose(current, before, after, actor, now, trx);
        return { changed: false, reopened: false, ...(proposed ? { proposed } : {}) };
      }
      if (fields.length === 0) return { changed: false, reopened: false };
      const reopened = requireApproval && current.status === 'approved' && !!actor.role && !can(actor.role, 'articles.approve');
      const ok = await this.repo.updateContent(
        id,
        expectedVersion,
        { ...content, slug, bodyHtml: renderMarkdown(content.bodyMd) },
        reopened ? { status: 'review', clearApproval: true } : {},
        now,
        trx,
      );
      if (!ok) throw this.staleError();
      const version = expectedVersion + 1;
      await this.repo.insertVersion(id, version, after, opts.versionAuthorId === undefined ? actor.id : opts.versionAuthorId, now, trx);
      if (opts.within) await opts.within(trx);
      await this.d.audit.append({ actor, action: auditAction, targetType: 'article', targetId: id, details: { version, fields } }, now, trx);
      if (reopened) {
        await this.d.audit.append(
          { actor, action: 'article.status_changed', targetType: 'article', targetId: id, details: { from: 'approved', to: 'review', reason: 'edited' } },
          now,
          trx,
        );
      }
      const saved = (await this.repo.findById(id, trx)) as Article;
      const who = { id: actor.id, label: actor.label };
      await this.emitInTransaction({ type: 'updated', article: saved, before: current, actor: who }, trx);
      if (reopened) await this.emitInTransaction({ type: 'status_changed', article: saved, from: 'approved', to: 'review', actor: who }, trx);
      return { changed: true, reopened };
    });
    if ('proposed' in result) return { article: current, ...result };
    const article = await this.getOrFail(id);
    const who = { id: actor.id, label: actor.label };
    if (result.changed) await this.emit({ type: 'updated', article, before: current, actor: who });
    if (result.reopened) await this.emit({ type: 'status_changed', article, from: 'approved', to: 'review', actor: who });
    return { article, ...result };
  }

  /** A guarded change of status along the editorial workflow (see articles.status.ts). */
  transition(id: number, to: ArticleStatus, actor: ArticleActor): Promise<Article> {
    return this.status.transition(id, to, actor);
  }

  /** "Alerte : envoyer partout maintenant": false when the article already was urgent. */
  markUrgent(id: number, actor: ArticleActor): Promise<boolean> {
    return this.status.markUrgent(id, actor);
  }

  delete(id: number, actor: ArticleActor): Promise<void> {
    return this.status.delete(id, actor);
  }

  /** Deletes several articles inside the caller's transaction (the demo's removal): see articles.status.ts. */
  deleteInTransaction(ids: number[], actor: ArticleActor, trx: Knex.Transaction): Promise<{ deleted: number; announce: () => Promise<void> }> {
    return this.status.deleteManyIn(ids, actor, trx);
  }

  /** Writes a new version whose content is that of an earlier one; the history stays whole. */
  async restoreVersion(id: number, versionNo: number, actor: ArticleActor): Promise<UpdateResult> {
    this.mustBeAllowed(actor, 'articles.write');
    const current = await this.getOrFail(id);
    const old = (await this.version(id, versionNo)).snapshot;
    return this.update(id, await this.content.fromSnapshot(id, old, current), current.version, actor, 'article.restored');
  }

  /**
   * An elected member approves the proposed change: it becomes the article's new version (its
   * writer named as the version's author), and the site and the channels follow.
   */
  approveProposal(id: number, actor: ArticleActor): Promise<UpdateResult> {
    return this.proposals.approve(id, actor);
  }

  /** The proposed change is refused, with the reason its writer will read; the site is unchanged. */
  refuseProposal(id: number, reason: string, actor: ArticleActor): Promise<void> {
    return this.proposals.refuse(id, reason, actor);
  }

  /** Like get(), but a missing article is a NotFoundError (404). */
  async getOrFail(id: number): Promise<Article> {
    const a = await this.repo.findById(id);
    if (!a) throw new NotFoundError('Cet article n’existe pas ou a été supprimé.');
    return a;
  }

  private mustBeAllowed(actor: ArticleActor, permission: 'articles.write' | 'articles.delete'): void {
    if (actor.role && !can(actor.role, permission)) throw new ForbiddenError();
  }

  private staleError(): ConflictError {
    return new ConflictError(
      'Quelqu’un d’autre a enregistré cet article pendant que vous le modifiiez. Votre texte est conservé ci-dessous : vérifiez la version actuelle, puis enregistrez de nouveau pour la remplacer.',
    );
  }

  private async emit(e: ArticleEvent): Promise<void> {
    await this.events.emitAndWait('changed', e);
  }
}
