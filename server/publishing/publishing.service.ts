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
import { PublicationLifecycle } from './publication-lifecycle';
import { CODES } from './publishing.messages';
import { OPEN_STATUSES, type Publication, type PublicationPart, type PublicationStatus, type PublicationsRepository } from './publications.repository';
import type { PublishingEvents } from './publishing.events';

/** Joins to a query of articles the publication that put each one online (the site asks this). */
export type OnlineJoin = (query: Knex.QueryBuilder, articleColumn: string, alias: string) => Knex.QueryBuilder;

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
  /** The publication is the article being online (the site): "Remettre en ligne", not "Publier de nouveau". */
  followsArticle: boolean;
  /** A thread's parts already accepted by the network, in order (empty for a single post). */
  parts: PublicationPart[];
}

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
    this.lifecycle = new PublicationLifecycle(db, pubs, accounts, adapters, audit, events, clock, ports, (id) => this.wakeIfDue(id));
  }

  /** Each channel's text: defaults, the officer's choices checked before they are saved. */
  readonly texts: PostComposer;
  /** What the article's own life (published, withdrawn, moved, urgent) does to its publications. */
  readonly lifecycle: PublicationLifecycle;

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
        followsArticle: !!adapter?.capabilities.followsArticle,
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
          if (current && OPEN_STATUSES.includes(current.status)) await this.pubs.transition(current.id, OPEN_STATUSES, { status: 'cancelled' }, now, trx);
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
        } else if (OPEN_STATUSES.includes(current.status) || current.status === 'cancelled') {
          await this.pubs.transition(
            current.id,
            [...OPEN_STATUSES, 'cancelled'],
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
}
