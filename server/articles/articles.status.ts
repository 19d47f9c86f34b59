import type { Knex } from 'knex';
import type { AuditRepository } from '../audit/audit.repository';
import { can } from '../auth/permissions';
import type { Clock } from '../clock';
import { ConflictError, ForbiddenError } from '../http/errors';
import type { SettingsService } from '../settings/settings.service';
import type { ArticlesRepository } from './articles.repository';
import type { Article, ArticleActor, ArticleEvent, ArticleStatus } from './articles.types';
import { checkTransition } from './workflow';

/** What status changes use of the articles service: its reads, its announcements, scheduling. */
export interface StatusHost {
  getOrFail(id: number): Promise<Article>;
  announceInTransaction(e: ArticleEvent, trx: Knex.Transaction): Promise<void>;
  announce(e: ArticleEvent): Promise<void>;
  /** An approved article the commune asked to schedule goes out at its time (articles.schedule.ts). */
  afterApproval(article: Article, actor: ArticleActor): Promise<Article | null>;
}

interface StatusDeps {
  db: Knex;
  repo: ArticlesRepository;
  audit: AuditRepository;
  settings: Pick<SettingsService, 'get'>;
  clock: Clock;
}

/**
 * An article's status: the editorial workflow's guarded changes, the urgent alert, deletion.
 * Each is written with its audit entry and announced inside its transaction (the publishing
 * engine answers there), then after the commit.
 */
export class ArticleStatusChanges {
  constructor(
    private readonly host: StatusHost,
    private readonly d: StatusDeps,
  ) {}

  async transition(id: number, to: ArticleStatus, actor: ArticleActor): Promise<Article> {
    const article = await this.host.getOrFail(id);
    const from = article.status;
    if (from === to) return article;
    const { requireApproval } = await this.d.settings.get();
    const check = checkTransition(from, to, actor.role, requireApproval);
    if (!check.ok) {
      if (check.reason === 'forbidden') throw new ForbiddenError();
      if (check.reason === 'needs_approval') {
        throw new ForbiddenError('La commune demande qu’un élu ou un administrateur approuve l’article avant sa publication : soumettez-le à la relecture.');
      }
      throw new ConflictError('Ce changement de statut n’est pas possible depuis le statut actuel de l’article.');
    }
    const now = this.d.clock.now();
    const patch: Parameters<ArticlesRepository['updateStatus']>[2] = { status: to };
    if (to === 'published') patch.publishAt = article.publishAt ?? new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    if (to === 'approved') Object.assign(patch, { approvedBy: actor.id, approvedAt: now });
    if (to === 'draft') Object.assign(patch, { approvedBy: null, approvedAt: null, scheduleRequested: false });
    if (to === 'published') patch.scheduleRequested = false;
    await this.d.db.transaction(async (trx) => {
      if (!(await this.d.repo.updateStatus(id, from, patch, now, trx))) {
        throw new ConflictError('Le statut de cet article vient d’être changé par quelqu’un d’autre : rechargez la page.');
      }
      const details: Record<string, unknown> = { from, to };
      if (patch.publishAt) details.publishAt = patch.publishAt.toISOString();
      await this.d.audit.append({ actor, action: 'article.status_changed', targetType: 'article', targetId: id, details }, now, trx);
      await this.host.announceInTransaction(
        { type: 'status_changed', article: (await this.d.repo.findById(id, trx)) as Article, from, to, actor: { id: actor.id, label: actor.label } },
        trx,
      );
    });
    const updated = await this.host.getOrFail(id);
    await this.host.announce({ type: 'status_changed', article: updated, from, to, actor: { id: actor.id, label: actor.label } });
    if (to === 'approved') return (await this.host.afterApproval(updated, actor)) ?? updated;
    return updated;
  }

  /**
   * "Alerte : envoyer partout maintenant" on an article that was not urgent: it becomes urgent,
   * which the publishing engine hears in the same transaction and answers by sending it on every
   * channel at once (the newsletter as an alert, not in the next digest). False: it already was.
   */
  async markUrgent(id: number, actor: ArticleActor): Promise<boolean> {
    const before = await this.host.getOrFail(id);
    if (before.urgent) return false;
    const now = this.d.clock.now();
    const who = { id: actor.id, label: actor.label };
    const article = await this.d.db.transaction(async (trx) => {
      if (!(await this.d.repo.markUrgent(id, now, trx))) return null;
      const after = (await this.d.repo.findById(id, trx)) as Article;
      await this.host.announceInTransaction({ type: 'updated', article: after, before, actor: who }, trx);
      return after;
    });
    if (!article) return false;
    await this.host.announce({ type: 'updated', article, before, actor: who });
    return true;
  }

  async delete(id: number, actor: ArticleActor): Promise<void> {
    if (actor.role && !can(actor.role, 'articles.delete')) throw new ForbiddenError();
    const article = await this.host.getOrFail(id);
    await this.d.db.transaction((trx) => this.deleteIn(article, actor, trx));
    await this.host.announce({ type: 'deleted', article });
  }

  /**
   * Deletes several articles inside the caller's transaction (the demo's removal, all or
   * nothing), each with its audit entry; ids already gone are skipped. Resolves with what to run
   * after the commit: the announcements (the site's cache, the publishing engine).
   */
  async deleteManyIn(ids: number[], actor: ArticleActor, trx: Knex.Transaction): Promise<{ deleted: number; announce: () => Promise<void> }> {
    const gone: Article[] = [];
    for (const id of ids) {
      const article = await this.d.repo.findById(id, trx);
      if (!article) continue;
      await this.deleteIn(article, actor, trx);
      gone.push(article);
    }
    return {
      deleted: gone.length,
      announce: async () => {
        for (const article of gone) await this.host.announce({ type: 'deleted', article });
      },
    };
  }

  /** The rows and their audit entry, in the caller's transaction: the caller announces the deletion once it has committed. */
  async deleteIn(article: Article, actor: ArticleActor, trx: Knex.Transaction): Promise<void> {
    await this.d.repo.delete(article.id, trx);
    await this.d.audit.append(
      {
        actor,
        action: 'article.deleted',
        targetType: 'article',
        targetId: article.id,
        details: { title: article.title, slug: article.slug, status: article.status },
      },
      this.d.clock.now(),
      trx,
    );
  }
}
