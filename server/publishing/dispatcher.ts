import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { AccountsRepository, ChannelAccount } from './accounts.repository';
import { PermanentChannelError, RateLimitedError, TransientChannelError, type ChannelAdapter, type PublishableArticle, type PublishResult } from './channels/channel-adapter';
import { holderIsDeadHere } from '../jobs/job-runner';
import type { AdapterRegistry } from './channels/registry';
import type { Publication, PublicationsRepository } from './publications.repository';
import type { PublishingEvents } from './publishing.events';

const UNCERTAIN = 'Le serveur s’est arrêté pendant l’envoi : impossible de savoir si la publication est partie. Vérifiez sur le réseau, puis marquez-la comme envoyée ou renvoyez-la.';

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
  failed: number;
  retrying: number;
  held: number;
  skipped: number;
  uncertain: number;
  /** Sends cut short by a crash, taken up again on their own (repeatable or looked up). */
  resumed: number;
  lost: number;
}

type Outcome = keyof DispatchReport;

/**
 * Takes due publications one by one with a guarded claim (pending → sending, exactly one row),
 * calls the channel's adapter, and records what happened. Transient errors come back later with
 * exponential backoff; permanent ones fail at once; a crash leaves `sending` rows that the next
 * run finishes when the channel allows it (see recoverAbandoned), and otherwise marks uncertain
 * for a human, never resending them blindly.
 */
export class Dispatcher {
  private stopping = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly pubs: PublicationsRepository,
    private readonly accounts: AccountsRepository,
    private readonly adapters: AdapterRegistry,
    private readonly loadArticle: (id: number) => Promise<PublishableArticle | null>,
    private readonly events: PublishingEvents,
    private readonly clock: Clock,
    private readonly log: Logger,
    readonly opts: DispatcherOptions,
  ) {}

  /** Stops taking new publications; those already handed to an adapter finish and are recorded. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.inFlight]);
  }

  async dispatchDue(): Promise<DispatchReport> {
    const report: DispatchReport = { sent: 0, failed: 0, retrying: 0, held: 0, skipped: 0, uncertain: 0, resumed: 0, lost: 0 };
    await this.recoverAbandoned(report);

    const articles = new Map<number, Promise<PublishableArticle | null>>();
    const accounts = new Map<number, Promise<ChannelAccount & { credentials: Record<string, unknown> | null } | null>>();
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
      const again = { status: 'pending' as const, dueAt: now, claimedBy: null, lateConfirmed: true, lastError: null };
      const adapter = this.adapters.get(p.channel);
      let found: PublishResult | null | undefined;
      if (adapter?.repeatable) found = null;
      else if (adapter?.findSent) found = await this.lookUp(adapter, p);
      let moved: boolean;
      if (found === null) moved = await this.pubs.transition(p.id, ['sending'], again, now, undefined, guard);
      else if (found) moved = await this.pubs.transition(p.id, ['sending'], { status: 'sent', sentAt: now, externalId: found.externalId, externalUrl: found.url, lastError: null }, now, undefined, guard);
      else moved = await this.pubs.transition(p.id, ['sending'], { status: 'uncertain', lastError: UNCERTAIN }, now, undefined, guard);
      if (!moved) continue;
      if (found === undefined) report.uncertain++;
      else report.resumed++;
      if (found) this.events.emit('sent', { publicationId: p.id, articleId: p.articleId, channel: p.channel });
    }
  }

  private async lookUp(adapter: ChannelAdapter, p: Publication): Promise<PublishResult | null | undefined> {
    try {
      const account = await this.accounts.get(p.accountId);
      if (!account) return undefined;
      const credentials = await this.accounts.credentials(account.id);
      return await this.withTimeout((signal) => adapter.findSent!({ ...p, account: { id: account.id, label: account.label, settings: account.settings, credentials } }, signal));
    } catch (err) {
      this.log.warn({ err, publicationId: p.id }, 'could not look up a send cut short by a crash');
      return undefined;
    }
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    return p.finally(() => this.inFlight.delete(p));
  }

  private async processOne(
    id: number,
    ctx: { articles: Map<number, Promise<PublishableArticle | null>>; accounts: Map<number, Promise<(ChannelAccount & { credentials: Record<string, unknown> | null }) | null>> },
  ): Promise<Outcome> {
    const now = this.clock.now();
    if (!(await this.pubs.claim(id, this.opts.instance, now))) return 'lost';
    const p = (await this.pubs.get(id)) as Publication;
    const guard = { claimedBy: this.opts.instance };

    if (p.attempts === 0 && !p.lateConfirmed && now.getTime() - p.scheduledAt.getTime() > this.opts.staleAfterMs) {
      await this.pubs.transition(id, ['sending'], {
        status: 'held',
        lastError: 'L’heure prévue est passée depuis plusieurs heures sans que la publication parte (le serveur était peut-être arrêté) : confirmez l’envoi pour qu’elle parte maintenant, ou annulez-la.',
      }, now, undefined, guard);
      return 'held';
    }

    if (!ctx.accounts.has(p.accountId)) {
      ctx.accounts.set(p.accountId, this.accounts.get(p.accountId).then(async (a) => (a ? { ...a, credentials: await this.accounts.credentials(a.id) } : null)));
    }
    const account = await ctx.accounts.get(p.accountId);
    const adapter = this.adapters.get(p.channel);
    if (!account || !account.enabled || !adapter) {
      await this.pubs.transition(id, ['sending'], {
        status: 'skipped',
        lastError: !adapter ? 'Ce réseau n’est pas pris en charge par cette installation.' : 'Ce compte est désactivé ou n’existe plus.',
      }, now, undefined, guard);
      return 'skipped';
    }
    if (!ctx.articles.has(p.articleId)) ctx.articles.set(p.articleId, this.loadArticle(p.articleId));
    const article = await ctx.articles.get(p.articleId);
    if (!article) {
      await this.pubs.transition(id, ['sending'], { status: 'skipped', lastError: 'L’article n’existe plus.' }, now, undefined, guard);
      return 'skipped';
    }

    const attempts = p.attempts + 1;
    try {
      const result = await this.withTimeout((signal) =>
        adapter.publish(article, { ...p, account: { id: account.id, label: account.label, settings: account.settings, credentials: account.credentials } }, signal),
      );
      const done = this.clock.now();
      await this.pubs.transition(id, ['sending'], { status: 'sent', sentAt: done, attempts, lastError: null, externalId: result.externalId, externalUrl: result.url }, done, undefined, guard);
      this.events.emit('sent', { publicationId: id, articleId: p.articleId, channel: p.channel });
      return 'sent';
    } catch (err) {
      return this.recordFailure(p, attempts, err, guard);
    }
  }

  private async recordFailure(p: Publication, attempts: number, err: unknown, guard: { claimedBy: string }): Promise<Outcome> {
    const now = this.clock.now();
    if (err instanceof PermanentChannelError) {
      await this.pubs.transition(p.id, ['sending'], { status: 'failed', attempts, lastError: err.message }, now, undefined, guard);
      this.events.emit('failed', { publicationId: p.id, articleId: p.articleId, channel: p.channel });
      return 'failed';
    }
    const transient = err instanceof TransientChannelError;
    if (!transient) this.log.error({ err, publicationId: p.id }, 'adapter raised an unexpected error');
    const message = transient ? err.message : 'Erreur inattendue lors de l’envoi ; elle a été enregistrée pour les administrateurs.';
    if (attempts >= this.opts.maxAttempts) {
      await this.pubs.transition(p.id, ['sending'], { status: 'failed', attempts, lastError: `Échec après ${attempts} tentatives : ${message}` }, now, undefined, guard);
      this.events.emit('failed', { publicationId: p.id, articleId: p.articleId, channel: p.channel });
      return 'failed';
    }
    const backoff = this.opts.retryBaseMs * 2 ** (attempts - 1);
    const retryAt = transient && err.retryAt ? err.retryAt : new Date(now.getTime() + backoff);
    if (err instanceof RateLimitedError) await this.pubs.deferAccount(p.accountId, retryAt, now);
    await this.pubs.transition(p.id, ['sending'], { status: 'pending', attempts, dueAt: retryAt, claimedBy: null, lastError: `${message} Nouvel essai prévu (${attempts}/${this.opts.maxAttempts}).` }, now, undefined, guard);
    return 'retrying';
  }

  private async withTimeout<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new TransientChannelError('Le réseau n’a pas répondu à temps.'));
      }, this.opts.adapterTimeoutMs);
    });
    try {
      return await Promise.race([fn(controller.signal), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
