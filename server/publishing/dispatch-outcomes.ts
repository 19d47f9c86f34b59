import type { Clock } from '../clock';
import type { AccountsRepository, ChannelAccount } from './accounts.repository';
import type { ChannelAdapter, PublishOutcome } from './channels/channel-adapter';
import type { DispatcherOptions, Outcome } from './dispatcher';
import type { ChannelMessage } from './publishing.messages';
import type { Publication, PublicationsRepository } from './publications.repository';
import type { PublishingEvents } from './publishing.events';

/** A publication waiting for its account to be reconnected looks again this often. */
export const ACCOUNT_WAIT_MS = 15 * 60_000;

/**
 * Writes down what an adapter answered for a claimed publication, guarded on the claim: sent,
 * queued for a later delivery report, failed, waiting for the account to be reconnected, or
 * tried again later with exponential backoff until maxAttempts.
 */
export class DispatchOutcomes {
  constructor(
    private readonly pubs: PublicationsRepository,
    private readonly accounts: AccountsRepository,
    private readonly events: PublishingEvents,
    private readonly clock: Clock,
    private readonly opts: Pick<DispatcherOptions, 'maxAttempts' | 'retryBaseMs'>,
  ) {}

  async record(
    p: Publication,
    account: Pick<ChannelAccount, 'id' | 'label'>,
    adapter: ChannelAdapter,
    attempts: number,
    result: PublishOutcome,
    guard: { claimedBy: string },
  ): Promise<Outcome> {
    const now = this.clock.now();
    const ev = { publicationId: p.id, articleId: p.articleId, channel: p.channel };
    switch (result.kind) {
      case 'sent':
        await this.pubs.transition(
          p.id,
          ['sending'],
          { status: 'sent', sentAt: now, attempts, lastError: null, externalId: result.externalId, externalUrl: result.url },
          now,
          undefined,
          guard,
        );
        // Posts that waited for this page go now, in this very run.
        if (adapter.capabilities.followsArticle) await this.pubs.releaseWaitingForSite(p.articleId, now);
        this.events.emit('sent', ev);
        return 'sent';
      case 'queued':
        await this.pubs.transition(p.id, ['sending'], { status: 'queued', attempts, lastError: null, externalId: result.reference }, now, undefined, guard);
        return 'queued';
      case 'permanent':
        await this.pubs.transition(p.id, ['sending'], { status: 'failed', attempts, lastError: result.message }, now, undefined, guard);
        this.events.emit('failed', ev);
        return 'failed';
      case 'reconnect':
        await this.accounts.markConnection(account.id, 'disconnected', now);
        await this.pubs.transition(
          p.id,
          ['sending'],
          {
            status: 'pending',
            dueAt: new Date(now.getTime() + ACCOUNT_WAIT_MS),
            claimedBy: null,
            lastError: { code: 'account.reconnect', values: { account: account.label } },
          },
          now,
          undefined,
          guard,
        );
        return 'waiting';
      case 'transient':
        return this.retryLater(p, attempts, result.message, result.retryAt, false, guard);
      case 'rateLimited':
        // The network said when to come back: nothing went wrong with this post, so no attempt is
        // spent (five limits in a row on a busy day must not fail it).
        return this.retryLater(p, p.attempts, result.message, result.resetAt, true, guard);
    }
  }

  private async retryLater(
    p: Publication,
    attempts: number,
    message: ChannelMessage,
    at: Date | undefined,
    wholeAccount: boolean,
    guard: { claimedBy: string },
  ): Promise<Outcome> {
    const now = this.clock.now();
    if (!wholeAccount && attempts >= this.opts.maxAttempts) {
      await this.pubs.transition(p.id, ['sending'], { status: 'failed', attempts, lastError: { ...message, gaveUpAfter: attempts } }, now, undefined, guard);
      this.events.emit('failed', { publicationId: p.id, articleId: p.articleId, channel: p.channel });
      return 'failed';
    }
    const backoff = new Date(now.getTime() + this.opts.retryBaseMs * 2 ** Math.max(0, attempts - 1));
    // A reset already past (a clock off, a bad header) must not turn into a loop that spends nothing.
    const retryAt = at && (!wholeAccount || at > now) ? at : backoff;
    if (wholeAccount) {
      // Remembered on the account: what becomes due before the reset waits too (see Dispatcher).
      await this.accounts.rateLimit(p.accountId, retryAt, now);
      await this.pubs.deferAccount(p.accountId, retryAt, now);
    }
    await this.pubs.transition(
      p.id,
      ['sending'],
      {
        status: 'pending',
        attempts,
        dueAt: retryAt,
        claimedBy: null,
        lastError: wholeAccount ? message : { ...message, retry: { attempts, max: this.opts.maxAttempts } },
      },
      now,
      undefined,
      guard,
    );
    return 'retrying';
  }
}
