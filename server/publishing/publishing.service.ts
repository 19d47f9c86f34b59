import type { Knex } from 'knex';
import type { Actor, AuditRepository } from '../audit/audit.repository';
import type { Clock } from '../clock';
import { ConflictError, NotFoundError, ValidationError } from '../http/errors';
import type { AccountsRepository, ChannelAccount } from './accounts.repository';
import type { AdapterRegistry } from './channels/registry';
import { textCapabilityOf, type ChannelMessage, type PublishableArticle } from './channels/channel-adapter';
import type { PortsFactory } from './dispatcher';
import { publicationContext } from './publication-context';
import { PostComposer } from './post-composer';

/** Joins to a query of articles the publication that put each one online (the site asks this). */
export type OnlineJoin = (query: Knex.QueryBuilder, articleColumn: string, alias: string) => Knex.QueryBuilder;
import { CODES } from './publishing.messages';
import type { Publication, PublicationPart, PublicationStatus, PublicationsRepository } from './publications.repository';
import type { PublishingEvents } from './publishing.events';

export interface ChannelPlanItem {
  accountId: number;
  enabled: boolean;
  scheduledAt?: Date | null;
  textVariant?: string | null;
  /** "Publier en fil": a long text goes as a thread (channels with threads only). */
  asThread?: boolean;
}

export interface ChannelRow {
  account: ChannelAccount;
  /** false when Crieur has no adapter for it or the account is off: the panel says so. */
  reachable: boolean;
  publication: Publication | null;
  canRetract: boolean;
  /** A thread's parts already accepted by the network, in order (empty for a single post). */
  parts: PublicationPart[];
}

const OPEN: PublicationStatus[] = ['planned', 'pending', 'held'];

/**
 * What an officer does with the channels of one article: choose them, time each one, retry,
 * cancel, confirm a late one, retract. The dispatcher does the sending.
 */
export class PublishingService {
  constructor(
    private readonly db: Knex,
    private readonly pubs: PublicationsRepository,
    private readonly accounts: AccountsRepository,
    private readonly adapters: AdapterRegistry,
    private readonly audit: AuditRepository,
    private readonly events: PublishingEvents,
    private readonly clock: Clock,
    private readonly ports: PortsFactory,
    private readonly loadArticle: (id: number) => Promise<PublishableArticle | null>,
  ) {
    this.texts = new PostComposer(accounts, adapters, loadArticle, ports);
  }

  /** Each channel's text: defaults, the officer's choices checked before they are saved. */
  readonly texts: PostComposer;

  async channels(articleId: number): Promise<ChannelRow[]> {
    const [accounts, pubs] = await Promise.all([this.accounts.list(), this.pubs.forArticle(articleId)]);
    const parts = await this.pubs.partsOf(pubs.filter((p) => p.asThread).map((p) => p.id));
    return accounts.map((account) => {
      const adapter = this.adapters.get(account.channel);
      const publication = pubs.find((p) => p.accountId === account.id) ?? null;
      return {
        account,
        reachable: !!adapter && account.enabled && account.connection === 'connected',
        publication,
        canRetract: !!adapter?.capabilities.canRetract && !!adapter.retract,
        parts: (publication && parts.get(publication.id)) ?? [],
      };
    });
  }

  /**
   * Texts longer than their network allows, counted the network's way (graphemes, a URL's fixed
   * weight), keyed like the panel's fields. The browser counts the same way as the officer types.
   */
  async textProblems(items: ChannelPlanItem[]): Promise<Record<string, ChannelMessage>> {
    const problems: Record<string, ChannelMessage> = {};
    const accounts = new Map((await this.accounts.list()).map((a) => [a.id, a]));
    for (const item of items) {
      const account = accounts.get(item.accountId);
      const adapter = account && this.adapters.get(account.channel);
      const text = adapter ? textCapabilityOf(adapter, account) : null;
      if (!adapter || !item.enabled || !item.textVariant || !text) continue;
      const count = text.count(item.textVariant);
      if (count > text.limit)
        problems[`channel_${item.accountId}_text`] = { code: CODES.textTooLong, values: { network: adapter.label, count, limit: text.limit } };
    }
    return problems;
  }

  /**
   * Saves the officer's choice of channels. New rows are `planned` until the article is
   * published, `pending` if it already is; a channel unticked before it went out is cancelled.
   */
  async plan(article: { id: number; status: string; publishAt: Date | null }, items: ChannelPlanItem[], actor: Actor): Promise<void> {
    const now = this.clock.now();
    const released = article.status === 'published';
    const defaultTime = article.publishAt ?? now;
    await this.db.transaction(async (trx) => {
      const existing = await this.pubs.forArticle(article.id, trx);
      for (const item of items) {
        const account = await this.accounts.get(item.accountId, trx);
        if (!account) throw new ValidationError('Ce canal n’existe pas.');
        const current = existing.find((p) => p.accountId === item.accountId);
        const when = item.scheduledAt ?? current?.scheduledAt ?? defaultTime;
        if (!item.enabled) {
          if (current && OPEN.includes(current.status)) await this.pubs.transition(current.id, OPEN, { status: 'cancelled' }, now, trx);
          continue;
        }
        if (!current) {
          await this.pubs.insert(
            {
              articleId: article.id,
              accountId: account.id,
              channel: account.channel,
              textVariant: item.textVariant ?? null,
              asThread: item.asThread ?? false,
              scheduledAt: when,
              status: released ? 'pending' : 'planned',
            },
            now,
            trx,
          );
        } else if (OPEN.includes(current.status) || current.status === 'cancelled') {
          await this.pubs.transition(
            current.id,
            [...OPEN, 'cancelled'],
            {
              status: current.status === 'cancelled' ? (released ? 'pending' : 'planned') : current.status === 'held' ? 'held' : current.status,
              scheduledAt: when,
              dueAt: when,
              textVariant: item.textVariant ?? null,
              asThread: item.asThread ?? false,
            },
            now,
            trx,
          );
        }
      }
      await this.audit.append(
        {
          actor,
          action: 'publications.planned',
          targetType: 'article',
          targetId: article.id,
          details: { channels: items.filter((i) => i.enabled).map((i) => i.accountId) },
        },
        now,
        trx,
      );
    });
    this.events.emit('changed', { publicationId: 0, articleId: article.id, channel: '*' });
    await this.wakeIfDue(article.id);
  }

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
      void this.wakeIfDue(article.id);
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
        if (!OPEN.includes(p.status) || p.scheduledAt.getTime() !== previous.getTime()) continue;
        const status = p.status === 'held' ? (released ? 'pending' : 'planned') : p.status;
        // Moved into the past by a person: it goes at once rather than waiting as stale.
        if (await this.pubs.transition(p.id, [p.status], { status, scheduledAt: to, dueAt: to, ...(to <= now ? { lateConfirmed: true } : {}) }, now, trx))
          moved++;
      }
    });
    if (moved) {
      this.afterCommit(outer, () => {
        this.events.emit('changed', { publicationId: 0, articleId: article.id, channel: '*' });
        void this.wakeIfDue(article.id);
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
        } else if ([...OPEN, 'cancelled', 'retracted'].includes(current.status) || this.waitingForBatch(current)) {
          await this.pubs.transition(
            current.id,
            [...OPEN, 'cancelled', 'retracted', ...(this.waitingForBatch(current) ? (['queued'] as const) : [])],
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

  private async act(
    id: number,
    from: PublicationStatus[],
    patch: Parameters<PublicationsRepository['transition']>[2],
    action: string,
    actor: Actor,
    refusal: string,
  ): Promise<Publication> {
    const p = await this.pubs.get(id);
    if (!p) throw new NotFoundError('Cette publication n’existe pas.');
    const now = this.clock.now();
    await this.db.transaction(async (trx) => {
      if (!(await this.pubs.transition(id, from, patch, now, trx))) throw new ConflictError(refusal);
      await this.audit.append(
        { actor, action, targetType: 'publication', targetId: id, details: { article: p.articleId, channel: p.channel, from: p.status } },
        now,
        trx,
      );
    });
    this.events.emit('changed', { publicationId: id, articleId: p.articleId, channel: p.channel });
    await this.wakeIfDue(p.articleId);
    return (await this.pubs.get(id)) as Publication;
  }

  /**
   * "Publier maintenant", a retry, a confirmation: whatever became due now is announced, so
   * that the dispatcher runs at once instead of at its next tick (up to 15 s later).
   */
  private async wakeIfDue(articleId: number): Promise<void> {
    const now = this.clock.now();
    try {
      const due = (await this.pubs.forArticle(articleId)).some((p) => p.status === 'pending' && p.dueAt <= now);
      if (due) this.events.emit('due');
    } catch {
      // The next tick sends it anyway; a failed look-up must not fail the officer's action.
    }
  }

  retry(id: number, actor: Actor) {
    const now = this.clock.now();
    // 'retracted' too: putting an article back on the site, or posting it again, is a person's choice.
    return this.act(
      id,
      ['failed', 'uncertain', 'skipped', 'retracted'],
      { status: 'pending', dueAt: now, attempts: 0, lateConfirmed: true, lastError: null, claimedBy: null },
      'publication.retried',
      actor,
      'Seule une publication en échec, incertaine ou retirée peut être renvoyée.',
    );
  }

  cancel(id: number, actor: Actor) {
    return this.act(
      id,
      ['planned', 'pending', 'held', 'failed', 'uncertain'],
      { status: 'cancelled' },
      'publication.cancelled',
      actor,
      'Cette publication est déjà partie ou en cours d’envoi : elle ne peut plus être annulée.',
    );
  }

  confirmLate(id: number, actor: Actor) {
    return this.act(
      id,
      ['held'],
      { status: 'pending', dueAt: this.clock.now(), lateConfirmed: true },
      'publication.late_confirmed',
      actor,
      'Cette publication n’attend pas de confirmation.',
    );
  }

  markSent(id: number, actor: Actor) {
    return this.act(
      id,
      ['uncertain'],
      { status: 'sent', sentAt: this.clock.now(), lastError: null },
      'publication.marked_sent',
      actor,
      'Seule une publication incertaine peut être marquée comme envoyée.',
    );
  }

  async retract(id: number, actor: Actor): Promise<Publication> {
    const p = await this.pubs.get(id);
    if (!p) throw new NotFoundError('Cette publication n’existe pas.');
    const adapter = this.adapters.get(p.channel);
    const article = await this.loadArticle(p.articleId);
    if (p.status !== 'sent' || !adapter?.retract || !adapter.capabilities.canRetract || !p.externalId || !article)
      throw new ConflictError('Cette publication ne peut pas être retirée de ce réseau.');
    const account = await this.accounts.get(p.accountId);
    const ports = this.ports(article, p);
    const accountContext = {
      id: p.accountId,
      label: account?.label ?? '',
      settings: account?.settings ?? {},
      credentials: await this.accounts.credentials(p.accountId),
    };
    const context = { ...publicationContext(p, accountContext, article, adapter, ports), externalId: p.externalId };
    await adapter.retract(context, ports, AbortSignal.timeout(30_000));
    const out = await this.act(id, ['sent'], { status: 'retracted' }, 'publication.retracted', actor, 'Cette publication a changé entre-temps.');
    this.events.emit('retracted', { publicationId: id, articleId: p.articleId, channel: p.channel });
    return out;
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

  /**
   * A channel that answered `queued` (a newsletter campaign) reports that the publication went
   * out, or that it could not. Guarded: only a queued publication moves.
   */
  async reportDelivery(
    id: number,
    result: { ok: true; externalId: string | null; url: string | null } | { ok: false; message: ChannelMessage },
  ): Promise<boolean> {
    const now = this.clock.now();
    const p = await this.pubs.get(id);
    if (!p) return false;
    const moved = result.ok
      ? await this.pubs.transition(
          id,
          ['queued'],
          { status: 'sent', sentAt: now, externalId: result.externalId ?? p.externalId, externalUrl: result.url, lastError: null },
          now,
        )
      : await this.pubs.transition(id, ['queued'], { status: 'failed', lastError: result.message }, now);
    if (moved) this.events.emit(result.ok ? 'sent' : 'failed', { publicationId: id, articleId: p.articleId, channel: p.channel });
    return moved;
  }

  /** How the site asks what is online (see PublicationsRepository.joinOnline). */
  onlineJoin(): OnlineJoin {
    return (query, articleColumn, alias) => this.pubs.joinOnline(query, articleColumn, alias, this.adapters.followingArticle());
  }

  /** For the polling panel: the state of each publication of an article. */
  async statuses(articleId: number): Promise<Publication[]> {
    return this.pubs.forArticle(articleId);
  }

  /** Publications a human must look at: uncertain, held, failed. */
  needsAttention(): Promise<Publication[]> {
    return this.pubs.listByStatus(['uncertain', 'held', 'failed']);
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
