import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { holderIsDeadHere } from '../jobs/job-runner';
import type { AccountsRepository, ChannelAccount } from './accounts.repository';
import {
  takesPictures,
  type ChannelAdapter,
  type ChannelPorts,
  type PublicationContext,
  type PublishableArticle,
  type PublishOutcome,
} from './channels/channel-adapter';
import type { AdapterRegistry } from './channels/registry';
import { ACCOUNT_WAIT_MS, DispatchOutcomes } from './dispatch-outcomes';
import type { Publication, PublicationsRepository } from './publications.repository';
import type { PublishingEvents } from './publishing.events';
import { publicationContext } from './publication-context';
import { IMAGE_WITHOUT_ALT_HELD, LOOKUP_PENDING, TIMEOUT_UNCERTAIN } from './social.messages';

/** A look-up the network did not answer (timeout, error): not the same as a network that cannot tell. */
const NO_ANSWER = Symbol('no answer');
type LookUp = { externalId: string; url: string | null } | null | undefined | typeof NO_ANSWER;

export interface DispatcherOptions {
  instance: string;
  maxAttempts: number;
  /** A first attempt later than this after its time waits for a human instead of going out stale. */
  staleAfterMs: number;
  /** A row still `sending` after this long was abandoned by a crash. Must exceed adapterTimeoutMs. */
  sendingTimeoutMs: number;
  adapterTimeoutMs: number;
  concurrency: number;
  batchSize: number;
  retryBaseMs: number;
}

export interface DispatchReport {
  sent: number;
  /** Accepted by a channel that reports delivery later (a newsletter campaign). */
  queued: number;
  failed: number;
  retrying: number;
  /** Waiting for something else: the article's site page, a reconnected account. */
  waiting: number;
  held: number;
  skipped: number;
  uncertain: number;
  /** Sends cut short by a crash, taken up again on their own (repeatable or looked up). */
  resumed: number;
  lost: number;
}

export type Outcome = keyof DispatchReport;
type LoadedAccount = ChannelAccount & { credentials: Record<string, unknown> | null };

/** Builds what an adapter is handed besides the article (see ChannelPorts). */
export type PortsFactory = (article: PublishableArticle, publication: { id: number; channel: string; accountId: number }) => ChannelPorts;

// A publication that waits for the article's site page looks again this often.
const WAIT_MS = 60_000;
const TIMED_OUT_CODE = 'network.timeout';
const TIMED_OUT: PublishOutcome = { kind: 'transient', message: { code: TIMED_OUT_CODE } };

/**
 * Takes due publications one by one with a guarded claim (pending → sending, exactly one row),
 * hands them to the channel's adapter, and records the outcome it answers. Transient errors come
 * back later with exponential backoff; permanent ones fail at once; a crash leaves `sending` rows
 * that the next run finishes when the channel allows it (see recoverAbandoned), and otherwise
 * marks uncertain for a human, never resending them blindly. The engine reads each adapter's
 * capabilities, never a channel's name.
 */
export class Dispatcher {
  private stopping = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly outcomes: DispatchOutcomes;

  constructor(
    private readonly pubs: PublicationsRepository,
    private readonly accounts: AccountsRepository,
    private readonly adapters: AdapterRegistry,
    private readonly loadArticle: (id: number) => Promise<PublishableArticle | null>,
    private readonly ports: PortsFactory,
    private readonly events: PublishingEvents,
    private readonly clock: Clock,
    private readonly log: Logger,
    readonly opts: DispatcherOptions,
  ) {
    this.outcomes = new DispatchOutcomes(pubs, accounts, events, clock, opts);
  }

  /** Stops taking new publications; those already handed to an adapter finish and are recorded. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.inFlight]);
  }

  async dispatchDue(): Promise<DispatchReport> {
    const report: DispatchReport = { sent: 0, queued: 0, failed: 0, retrying: 0, waiting: 0, held: 0, skipped: 0, uncertain: 0, resumed: 0, lost: 0 };
    await this.recoverAbandoned(report);

    const articles = new Map<number, Promise<PublishableArticle | null>>();
    const accounts = new Map<number, Promise<LoadedAccount | null>>();
    const ctx = { articles, accounts };
    // Bounded: each pass either sends, reschedules or loses every id it saw, so ids do not repeat.
    for (let pass = 0; pass < 10_000 && !this.stopping; pass++) {
      const ids = await this.pubs.dueIds(this.clock.now(), this.opts.batchSize);
      if (!ids.length) break;
      let next = 0;
      const worker = async () => {
        while (next < ids.length && !this.stopping) {
          const id = ids[next++] as number;
          const outcome = await this.track(this.processOne(id, ctx));
          report[outcome]++;
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.opts.concurrency, ids.length) }, worker));
    }
    return report;
  }

  /**
   * Rows left `sending` by a crash: claimed by a process that is dead on this machine (found at
   * once after a restart), or claimed longer ago than any send may take (another machine). A
   * repeatable channel sends again; one that can look the post up asks the network; only the
   * others become uncertain for a person to decide.
   */
  private async recoverAbandoned(report: DispatchReport): Promise<void> {
    const now = this.clock.now();
    const timedOut = now.getTime() - this.opts.sendingTimeoutMs;
    for (const p of await this.pubs.sending()) {
      const holder = p.claimedBy;
      const dead = !!holder && holder !== this.opts.instance && holderIsDeadHere(holder);
      if (!dead && (p.claimedAt?.getTime() ?? 0) >= timedOut) continue;
      const guard = holder ? { claimedBy: holder } : undefined;
      const adapter = this.adapters.get(p.channel);
      let found: LookUp;
      if (adapter?.capabilities.repeatable) found = null;
      else if (adapter?.findSent) found = await this.lookUp(adapter, p);
      let moved: boolean;
      if (found === NO_ANSWER) {
        // The network did not answer the question (down, slow, restarting with us): ask again
        // after the sending timeout, a bounded number of times, before a person has to decide.
        const outcome = await this.askAgainLater(p, now, guard);
        if (outcome) report[outcome]++;
        continue;
      }
      if (found === null)
        moved = await this.pubs.transition(
          p.id,
          ['sending'],
          { status: 'pending', dueAt: now, claimedBy: null, lateConfirmed: true, lastError: null },
          now,
          undefined,
          guard,
        );
      else if (found)
        moved = await this.pubs.transition(
          p.id,
          ['sending'],
          { status: 'sent', sentAt: now, externalId: found.externalId, externalUrl: found.url, lastError: null },
          now,
          undefined,
          guard,
        );
      else
        moved = await this.pubs.transition(
          p.id,
          ['sending'],
          { status: 'uncertain', lastError: { code: 'publication.crash_uncertain' } },
          now,
          undefined,
          guard,
        );
      if (!moved) continue;
      if (found === undefined) report.uncertain++;
      else report.resumed++;
      if (found) this.events.emit('sent', { publicationId: p.id, articleId: p.articleId, channel: p.channel });
    }
  }

  /**
   * Asks the network whether the post went out: found, null (not there: send it), undefined (the
   * network cannot tell) or NO_ANSWER (it did not answer this time: ask again later).
   */
  private async lookUp(adapter: ChannelAdapter, p: Publication): Promise<LookUp> {
    try {
      const [account, article] = await Promise.all([this.loadAccount(p.accountId), this.loadArticle(p.articleId)]);
      if (!account || !article) return undefined;
      const ports = this.ports(article, p);
      return await this.withTimeout<LookUp>((signal) => adapter.findSent!(this.context(p, account, article, adapter, ports), ports, signal), NO_ANSWER);
    } catch (err) {
      this.log.warn({ err, publicationId: p.id }, 'could not look up a send whose fate is unknown');
      return NO_ANSWER;
    }
  }

  /**
   * Keeps the row `sending`, claimed by this process from now, so that recoverAbandoned asks the
   * network again once the sending timeout has passed; after maxAttempts questions left
   * unanswered, a person decides. Null when another process moved the row first.
   */
  private async askAgainLater(p: Publication, now: Date, guard?: { claimedBy: string }): Promise<'retrying' | 'uncertain' | null> {
    const attempts = p.attempts + 1;
    if (attempts >= this.opts.maxAttempts) {
      const moved = await this.pubs.transition(
        p.id,
        ['sending'],
        { status: 'uncertain', attempts, lastError: { code: TIMEOUT_UNCERTAIN } },
        now,
        undefined,
        guard,
      );
      if (!moved) return null;
      this.events.emit('failed', { publicationId: p.id, articleId: p.articleId, channel: p.channel });
      return 'uncertain';
    }
    const moved = await this.pubs.transition(
      p.id,
      ['sending'],
      { attempts, claimedBy: this.opts.instance, claimedAt: now, lastError: { code: LOOKUP_PENDING } },
      now,
      undefined,
      guard,
    );
    return moved ? 'retrying' : null;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    return p.finally(() => this.inFlight.delete(p));
  }

  private async loadAccount(id: number): Promise<LoadedAccount | null> {
    const a = await this.accounts.get(id);
    return a ? { ...a, credentials: await this.accounts.credentials(a.id) } : null;
  }

  private context(p: Publication, account: LoadedAccount, article: PublishableArticle, adapter: ChannelAdapter, ports: ChannelPorts): PublicationContext {
    return publicationContext(
      p,
      { id: account.id, label: account.label, settings: account.settings, credentials: account.credentials },
      article,
      adapter,
      ports,
    );
  }

  private async processOne(
    id: number,
    ctx: { articles: Map<number, Promise<PublishableArticle | null>>; accounts: Map<number, Promise<LoadedAccount | null>> },
  ): Promise<Outcome> {
    const now = this.clock.now();
    const p = await this.pubs.claimRow(id, this.opts.instance, now);
    if (!p) return 'lost';
    const guard = { claimedBy: this.opts.instance };
    try {
      return await this.prepareAndSend(p, now, guard, ctx);
    } catch (err) {
      // Nothing reached the network (the adapter's own failures are outcomes): the row goes back
      // to pending, guarded on this claim, instead of waiting as `sending` to become uncertain.
      this.log.error({ err, publicationId: p.id }, 'publication could not be prepared');
      const later = new Date(this.clock.now().getTime() + this.opts.retryBaseMs);
      await this.pubs
        .transition(
          id,
          ['sending'],
          { status: 'pending', dueAt: later, claimedBy: null, lastError: { code: 'publication.unexpected' } },
          this.clock.now(),
          undefined,
          guard,
        )
        .catch(() => undefined);
      return 'retrying';
    }
  }

  private async prepareAndSend(
    p: Publication,
    now: Date,
    guard: { claimedBy: string },
    ctx: { articles: Map<number, Promise<PublishableArticle | null>>; accounts: Map<number, Promise<LoadedAccount | null>> },
  ): Promise<Outcome> {
    const id = p.id;
    const settle = (patch: Parameters<PublicationsRepository['transition']>[2], at = this.clock.now()) =>
      this.pubs.transition(id, ['sending'], patch, at, undefined, guard);

    if (p.attempts === 0 && !p.lateConfirmed && now.getTime() - p.scheduledAt.getTime() > this.opts.staleAfterMs) {
      await settle({ status: 'held', lastError: { code: 'publication.stale' } }, now);
      return 'held';
    }

    if (!ctx.accounts.has(p.accountId)) ctx.accounts.set(p.accountId, this.loadAccount(p.accountId));
    const account = await ctx.accounts.get(p.accountId);
    const adapter = this.adapters.get(p.channel);
    if (!account || !account.enabled || account.removedAt || !adapter) {
      await settle({ status: 'skipped', lastError: { code: !adapter ? 'publication.no_adapter' : 'publication.account_off' } }, now);
      return 'skipped';
    }
    const accountProblem = account.connection !== 'connected' ? account.connection : account.expiresAt && account.expiresAt <= now ? 'expired' : null;
    if (accountProblem) {
      // Waits without spending an attempt: reconnecting the account releases it at once.
      await settle(
        {
          status: 'pending',
          dueAt: new Date(now.getTime() + ACCOUNT_WAIT_MS),
          claimedBy: null,
          lastError: { code: accountProblem === 'expired' ? 'account.expired' : 'account.reconnect', values: { account: account.label } },
        },
        now,
      );
      return 'waiting';
    }
    if (account.rateLimitedUntil && account.rateLimitedUntil > now) {
      // The network asked the whole account to wait: nothing is sent before the reset, and no
      // attempt is spent (a post that became due after the answer would only be refused again).
      await settle({ status: 'pending', dueAt: account.rateLimitedUntil, claimedBy: null, lastError: { code: 'network.rate_limited' } }, now);
      return 'waiting';
    }
    if (!ctx.articles.has(p.articleId)) ctx.articles.set(p.articleId, this.loadArticle(p.articleId));
    const article = await ctx.articles.get(p.articleId);
    if (!article) {
      await settle({ status: 'skipped', lastError: { code: 'publication.article_gone' } }, now);
      return 'skipped';
    }
    // The picture lost its alt text after the post was planned (saving refuses one without): the
    // post never goes without it, nor without its picture. It waits for the officer, who adds the
    // alt text and confirms.
    if (takesPictures(adapter.capabilities) && article.heroMediaId && !article.heroAlt.trim()) {
      await settle({ status: 'held', lastError: { code: IMAGE_WITHOUT_ALT_HELD, values: { network: adapter.label } } }, now);
      return 'held';
    }
    if (adapter.capabilities.needsSitePage && !(await this.pubs.articleOnline(p.articleId, this.adapters.followingArticle()))) {
      await settle({ status: 'pending', dueAt: new Date(now.getTime() + WAIT_MS), claimedBy: null, lastError: { code: 'publication.waiting_site_page' } }, now);
      // The page may have gone online, on another worker, between the check and the settle above,
      // and its release found this row still `sending`: look once more, now that the row waits.
      if (await this.pubs.articleOnline(p.articleId, this.adapters.followingArticle())) await this.pubs.releaseWaitingForSite(p.articleId, this.clock.now());
      return 'waiting';
    }

    const attempts = p.attempts + 1;
    let result: PublishOutcome;
    // A token refreshed by this publication is read again by the next one of the same account.
    const ports = this.ports(article, p);
    const save = ports.saveCredentials;
    ports.saveCredentials = async (credentials) => {
      await save(credentials);
      ctx.accounts.delete(p.accountId);
    };
    try {
      result = await this.withTimeout((signal) => adapter.publish(article, this.context(p, account, article, adapter, ports), ports, signal), TIMED_OUT);
    } catch (err) {
      this.log.error({ err, publicationId: p.id }, 'adapter raised an unexpected error');
      result = { kind: 'transient', message: { code: 'publication.unexpected' } };
    }
    // A timeout leaves the post's fate unknown, as a crash does: where sending twice is not
    // harmless and the network can be asked, look before trying again.
    if (result.kind === 'transient' && result.message.code === TIMED_OUT_CODE && !adapter.capabilities.repeatable && adapter.findSent) {
      const found = await this.lookUp(adapter, p);
      if (found === NO_ANSWER) return (await this.askAgainLater(p, this.clock.now(), guard)) ?? 'lost';
      if (found) result = { kind: 'sent', externalId: found.externalId, url: found.url };
      else if (found === undefined) {
        await settle({ status: 'uncertain', attempts, lastError: { code: TIMEOUT_UNCERTAIN } });
        this.events.emit('failed', { publicationId: p.id, articleId: p.articleId, channel: p.channel });
        return 'uncertain';
      }
    }
    const outcome = await this.outcomes.record(p, account, adapter, attempts, result, guard);
    // The account's reset, now stored, is read again by its next publication of this run.
    if (result.kind === 'rateLimited') ctx.accounts.delete(p.accountId);
    return outcome;
  }

  /** The adapter's answer, or `onTimeout` once adapterTimeoutMs has passed (the call is aborted). */
  private async withTimeout<T>(fn: (signal: AbortSignal) => Promise<T>, onTimeout: T): Promise<T> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<T>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve(onTimeout);
      }, this.opts.adapterTimeoutMs);
    });
    try {
      return await Promise.race([fn(controller.signal), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
