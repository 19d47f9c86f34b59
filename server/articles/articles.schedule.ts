import type { Knex } from 'knex';
import type { AuditRepository } from '../audit/audit.repository';
import { can } from '../auth/permissions';
import { ConflictError, ForbiddenError, ValidationError } from '../http/errors';
import type { ArticlesRepository } from './articles.repository';
import type { Article, ArticleActor, ArticleEvent } from './articles.types';
import { checkTransition } from './workflow';

/** What scheduling uses of the articles service (its reads, its events, its guarded status change). */
export interface ScheduleHost {
  getOrFail(id: number): Promise<Article>;
  transition(id: number, to: 'published' | 'review' | 'draft', actor: ArticleActor): Promise<Article>;
  announceInTransaction(e: ArticleEvent, trx: Knex.Transaction): Promise<void>;
  announce(e: ArticleEvent): Promise<void>;
}

interface ScheduleDeps {
  db: Knex;
  repo: ArticlesRepository;
  now: () => Date;
  requireApproval: () => Promise<boolean>;
  audit: AuditRepository;
}

/**
 * What "Programmer" does, said in its result: `scheduled` (it will go out at that date), `moved`
 * (it was scheduled, the date changed), `requested` (the commune requires approval: it waits in
 * review, and the approval schedules it).
 */
export type ScheduleOutcome = { kind: 'scheduled' | 'moved' | 'requested'; article: Article };

const FUTURE_ONLY_FORM = 'Le formulaire contient des erreurs : corrigez les champs signalés.';
const FUTURE_ONLY = 'Choisissez une date à venir pour programmer l’article, ou publiez-le maintenant.';

/**
 * Scheduling as its own command, separate from saving: a date typed in the form is only a plan
 * until "Programmer" is clicked, so nobody believes a draft is scheduled.
 */
export class ArticleSchedule {
  constructor(
    private readonly host: ScheduleHost,
    private readonly d: ScheduleDeps,
  ) {}

  isScheduled(a: Article): boolean {
    return a.status === 'published' && !!a.publishAt && a.publishAt > this.d.now();
  }

  /** A date to come that is only a plan: nothing will go out at it until "Programmer". */
  isPlannedOnly(a: Article): boolean {
    return a.status !== 'published' && !a.scheduleRequested && !!a.publishAt && a.publishAt > this.d.now();
  }

  /** Refuses, before anything is saved, a "Programmer" without a date to come. */
  checkDate(at: Date | null): asserts at is Date {
    if (!at || at.getTime() <= this.d.now().getTime()) throw new ValidationError(FUTURE_ONLY_FORM, { publishAt: FUTURE_ONLY });
  }

  async schedule(id: number, at: Date | null, actor: ArticleActor): Promise<ScheduleOutcome> {
    if (actor.role && !can(actor.role, 'articles.publish')) throw new ForbiddenError();
    this.checkDate(at);
    const article = await this.host.getOrFail(id);
    if (article.status === 'published') {
      if (!this.isScheduled(article)) throw new ConflictError('Cet article est déjà en ligne : il ne peut plus être programmé.');
      return { kind: 'moved', article: await this.move(article, at, actor) };
    }
    if (article.status === 'archived') throw new ConflictError('Cet article est archivé : restaurez-le en brouillon avant de le programmer.');
    const requireApproval = await this.d.requireApproval();
    const direct = checkTransition(article.status, 'published', actor.role, requireApproval);
    if (direct.ok) {
      await this.setDate(article, at, false, actor);
      return { kind: 'scheduled', article: await this.host.transition(id, 'published', actor) };
    }
    if (direct.reason !== 'needs_approval') throw new ConflictError('Ce changement de statut n’est pas possible depuis le statut actuel de l’article.');
    // The approval is what lets it go out: it waits in review with its date.
    await this.setDate(article, at, true, actor);
    const after = article.status === 'draft' ? await this.host.transition(id, 'review', actor) : await this.host.getOrFail(id);
    return { kind: 'requested', article: after };
  }

  /** Back to draft before it goes out; its channels are held (planned) again. */
  async unschedule(id: number, actor: ArticleActor): Promise<Article> {
    if (actor.role && !can(actor.role, 'articles.publish')) throw new ForbiddenError();
    const article = await this.host.getOrFail(id);
    if (article.status === 'review' && article.scheduleRequested) {
      await this.setDate(article, article.publishAt, false, actor);
      return this.host.transition(id, 'draft', actor);
    }
    if (!this.isScheduled(article)) throw new ConflictError('Cet article n’est pas programmé : il n’y a rien à déprogrammer.');
    // The system edge published → draft: only for what is not out yet (checked just above).
    return this.host.transition(id, 'draft', { ...actor, role: null });
  }

  /**
   * After an approval: an article whose "Programmer" waited for it goes out at its date (at once
   * if the date has passed meanwhile). The approver's act, carried out by the system.
   */
  async afterApproval(article: Article, actor: ArticleActor): Promise<Article | null> {
    if (!article.scheduleRequested || article.status !== 'approved') return null;
    const now = this.d.now();
    const at = article.publishAt && article.publishAt > now ? article.publishAt : new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    await this.setDate(article, at, false, actor);
    return this.host.transition(article.id, 'published', { ...actor, role: null });
  }

  private async setDate(article: Article, at: Date | null, requested: boolean, actor: ArticleActor): Promise<void> {
    const now = this.d.now();
    await this.d.db.transaction(async (trx) => {
      await this.d.repo.setScheduleRequest(article.id, at, requested, trx);
      if (requested)
        await this.d.audit.append(
          { actor, action: 'article.schedule_requested', targetType: 'article', targetId: article.id, details: { at: at?.toISOString() ?? null } },
          now,
          trx,
        );
    });
  }

  private async move(article: Article, at: Date, actor: ArticleActor): Promise<Article> {
    const now = this.d.now();
    await this.d.db.transaction(async (trx) => {
      if (!(await this.d.repo.movePublishAt(article.id, at, now, trx)))
        throw new ConflictError('Cet article vient d’être publié : il ne peut plus être déplacé.');
      await this.d.audit.append(
        {
          actor,
          action: 'article.rescheduled',
          targetType: 'article',
          targetId: article.id,
          details: { from: article.publishAt?.toISOString() ?? null, to: at.toISOString() },
        },
        now,
        trx,
      );
      const moved = (await this.d.repo.findById(article.id, trx)) as Article;
      // The publications timed with the article move with it (publishing's policy listens to 'updated').
      await this.host.announceInTransaction({ type: 'updated', article: moved, before: article, actor: { id: actor.id, label: actor.label } }, trx);
    });
    const moved = await this.host.getOrFail(article.id);
    await this.host.announce({ type: 'updated', article: moved, before: article, actor: { id: actor.id, label: actor.label } });
    return moved;
  }
}
