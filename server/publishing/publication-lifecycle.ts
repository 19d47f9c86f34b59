import type { Knex } from 'knex';
import type { Actor, AuditRepository } from '../audit/audit.repository';
import type { Clock } from '../clock';
import type { AccountsRepository } from './accounts.repository';
import type { PublishableArticle } from './channels/channel-adapter';
import type { AdapterRegistry } from './channels/registry';
import type { PortsFactory } from './dispatcher';
import { publicationContext } from './publication-context';
import { OPEN_STATUSES, type Publication, type PublicationsRepository } from './publications.repository';
import type { PublishingEvents } from './publishing.events';

/**
 * The publications follow the article's life: published, withdrawn, moved to another time, made
 * urgent, or imported as history. Each runs in the article's own transaction when it is given
 * one (outbox rule: no published article without its publications).
 */
export class PublicationLifecycle {
  constructor(
    private readonly db: Knex,
    private readonly pubs: PublicationsRepository,
    private readonly accounts: AccountsRepository,
    private readonly adapters: AdapterRegistry,
    private readonly audit: AuditRepository,
    private readonly events: PublishingEvents,
    private readonly clock: Clock,
    private readonly ports: PortsFactory,
    /** Announces what became due now, so that the dispatcher runs at once. */
    private readonly wake: (articleId: number) => Promise<void>,
  ) {}

  /**
   * Called when an article becomes published: its planned rows become due at their time, and
   * if nothing was planned the site gets a publication at the article's time. An urgent article
   * goes to every reachable channel at once.
   */
  async articlePublished(article: { id: number; publishAt: Date | null; urgent: boolean }, actor: Actor, outer?: Knex.Transaction): Promise<void> {
    const now = this.clock.now();
    if (article.urgent) return this.sendEverywhereNow(article.id, actor, outer);
    await this.inTransaction(outer, async (trx) => {
      const existing = await this.pubs.forArticle(article.id, trx);
      const at = article.publishAt ?? now;
      // Someone publishing now means it: a time already past goes out at once, not held as stale.
      const late = (when: Date) => (when <= now ? { lateConfirmed: true } : {});
      // Channels that follow the article (the site) get a publication when nothing was planned.
      const following = this.adapters.followingArticle();
      if (!existing.some((p) => p.status !== 'cancelled')) {
        for (const account of (await this.accounts.list(trx)).filter((a) => following.includes(a.channel) && a.enabled)) {
          if (existing.some((p) => p.accountId === account.id)) continue;
          const id = await this.pubs.insert(
            { articleId: article.id, accountId: account.id, channel: account.channel, textVariant: null, scheduledAt: at },
            now,
            trx,
          );
          if (at <= now) await this.pubs.transition(id, ['pending'], late(at), now, trx);
        }
      }
      // Published again after being archived or unpublished: the article goes back on the site.
      for (const page of existing.filter((p) => following.includes(p.channel))) {
        if (page.status === 'retracted' || (page.status === 'cancelled' && !existing.some((p) => p.status !== 'cancelled'))) {
          await this.pubs.transition(
            page.id,
            [page.status],
            { status: 'pending', scheduledAt: at, dueAt: at, attempts: 0, lastError: null, claimedBy: null, ...late(at) },
            now,
            trx,
          );
        }
      }
      for (const p of existing.filter((x) => x.status === 'planned')) {
        await this.pubs.transition(p.id, ['planned'], { status: 'pending', ...late(p.scheduledAt) }, now, trx);
      }
    });
    this.afterCommit(outer, () => {
      this.events.emit('changed', { publicationId: 0, articleId: article.id, channel: '*' });
      void this.wake(article.id);
    });
  }

  /** Archiving or unpublishing: nothing more goes out; the site page disappears. */
  async articleWithdrawn(articleId: number, actor: Actor, outer?: Knex.Transaction): Promise<void> {
    const now = this.clock.now();
    await this.inTransaction(outer, async (trx) => {
      for (const p of await this.pubs.forArticle(articleId, trx)) {
        if (p.status === 'pending' || p.status === 'held') await this.pubs.transition(p.id, [p.status], { status: 'planned' }, now, trx);
        if (p.status === 'sent' && this.adapters.get(p.channel)?.capabilities.followsArticle)
          await this.pubs.transition(p.id, ['sent'], { status: 'retracted' }, now, trx);
      }
      await this.audit.append({ actor, action: 'publications.withdrawn', targetType: 'article', targetId: articleId }, now, trx);
    });
    this.afterCommit(outer, () => this.events.emit('retracted', { publicationId: 0, articleId, channel: '*' }));
  }

  /**
   * The article's publication time changed: the publications that were timed with it (those
   * still at the old time) move with it; a channel given its own time keeps it. One already
   * gone out stays as it is.
   */
  async articleRescheduled(article: { id: number; status: string; publishAt: Date | null }, previous: Date | null, outer?: Knex.Transaction): Promise<number> {
    const now = this.clock.now();
    const to = article.publishAt ?? now;
    if (!previous || previous.getTime() === to.getTime()) return 0;
    const released = article.status === 'published';
    let moved = 0;
    await this.inTransaction(outer, async (trx) => {
      for (const p of await this.pubs.forArticle(article.id, trx)) {
        if (!OPEN_STATUSES.includes(p.status) || p.scheduledAt.getTime() !== previous.getTime()) continue;
        const status = p.status === 'held' ? (released ? 'pending' : 'planned') : p.status;
        // Moved into the past by a person: it goes at once rather than waiting as stale.
        if (await this.pubs.transition(p.id, [p.status], { status, scheduledAt: to, dueAt: to, ...(to <= now ? { lateConfirmed: true } : {}) }, now, trx))
          moved++;
      }
    });
    if (moved) {
      this.afterCommit(outer, () => {
        this.events.emit('changed', { publicationId: 0, articleId: article.id, channel: '*' });
        void this.wake(article.id);
      });
    }
    return moved;
  }

  /** Urgent alert: every reachable channel, now, without the staleness check. */
  async sendEverywhereNow(articleId: number, actor: Actor, outer?: Knex.Transaction): Promise<void> {
    const now = this.clock.now();
    await this.inTransaction(outer, async (trx) => {
      const existing = await this.pubs.forArticle(articleId, trx);
      for (const account of await this.accounts.list(trx)) {
        if (!account.enabled || !this.adapters.get(account.channel)) continue;
        const current = existing.find((p) => p.accountId === account.id);
        if (!current) {
          const id = await this.pubs.insert({ articleId, accountId: account.id, channel: account.channel, textVariant: null, scheduledAt: now }, now, trx);
          await this.pubs.transition(id, ['pending'], { lateConfirmed: true }, now, trx);
        } else if ([...OPEN_STATUSES, 'cancelled', 'retracted'].includes(current.status) || this.waitingForBatch(current)) {
          await this.pubs.transition(
            current.id,
            [...OPEN_STATUSES, 'cancelled', 'retracted', ...(this.waitingForBatch(current) ? (['queued'] as const) : [])],
            { status: 'pending', scheduledAt: now, dueAt: now, lateConfirmed: true, attempts: 0, lastError: null },
            now,
            trx,
          );
        }
      }
      await this.audit.append({ actor, action: 'publications.urgent', targetType: 'article', targetId: articleId }, now, trx);
    });
    this.afterCommit(outer, () => {
      this.events.emit('changed', { publicationId: 0, articleId, channel: '*' });
      this.events.emit('due');
    });
  }

  /** Waiting for the newsletter's next digest: an urgent send takes it back to go out as an alert. */
  private waitingForBatch(p: Publication): boolean {
    return p.status === 'queued' && !p.externalId && !!this.adapters.get(p.channel)?.capabilities.batched;
  }

  /**
   * Imports history (demo, migration from another tool): the article's pages (the channels that
   * follow the article) went out at `sentAt`. Nothing is sent to a network.
   */
  async recordPastDelivery(article: PublishableArticle, sentAt: Date): Promise<void> {
    for (const p of await this.pubs.forArticle(article.id)) {
      const adapter = this.adapters.get(p.channel);
      if (!adapter?.capabilities.followsArticle) continue;
      const ports = this.ports(article, p);
      const result = await adapter.publish(
        article,
        publicationContext(p, { id: p.accountId, label: '', settings: {}, credentials: null }, article, adapter, ports),
        ports,
        AbortSignal.timeout(30_000),
      );
      if (result.kind !== 'sent') continue;
      await this.pubs.transition(
        p.id,
        ['pending', 'planned'],
        { status: 'sent', sentAt, scheduledAt: sentAt, dueAt: sentAt, attempts: 1, externalId: result.externalId, externalUrl: result.url },
        this.clock.now(),
      );
    }
  }

  /** Inside the caller's transaction when there is one (a savepoint), else in a new one. */
  private inTransaction<T>(outer: Knex.Transaction | undefined, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return (outer ?? this.db).transaction(fn);
  }

  /** Listeners (the page cache, the panel) hear of a change only once it is committed. */
  private afterCommit(outer: Knex.Transaction | undefined, fn: () => void): void {
    if (!outer) return fn();
    outer.executionPromise.then(fn, () => undefined);
  }
}
