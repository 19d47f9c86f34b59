import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { Actor, AuditRepository } from '../audit/audit.repository';
import { ConflictError } from '../http/errors';
import { CampaignMessage } from './raw-message';
import type { CampaignTransport } from './campaign-transport';
import { CODES, type DeliveriesRepository, type SendReason } from './deliveries.repository';
import { inSendingWindow } from './sending-window';
import type { FeedbackEvent } from './sending-feedback';
import { recoverAbandoned } from './abandoned-deliveries';
import { sendBatch, type BatchDeps } from './delivery-batch';
import { sendProgress } from './send-progress';
import type { RunState, SendableCampaign, SendProgress, SenderOptions, SenderPorts, SendReport } from './campaign-sender.types';

export type { SendableCampaign, SendProgress, SendRecipient, SenderOptions, SenderPorts, SendReport } from './campaign-sender.types';

const HOUR = 3600_000;
// The audience is read this many subscribers at a time when a campaign starts.
const AUDIENCE_PAGE = 2000;

/**
 * Sends campaigns: the audience is frozen into delivery rows when a campaign starts; `run`
 * (a leased job, also woken at once by `start` and `resume`) claims queued rows in batches with
 * a guarded update and hands each batch to delivery-batch.ts, which reads who is still
 * subscribed, sends and settles each row. A crash leaves rows `sending`: the next run reports
 * them as unknown and never sends them again (abandoned-deliveries.ts). Progress for the admin
 * is in send-progress.ts.
 */
export class CampaignSender {
  private stopping = false;
  private readonly wakeListeners: (() => void)[] = [];
  private readonly prepared = new Map<number, Promise<{ campaign: SendableCampaign; message: CampaignMessage }>>();
  private current: Promise<unknown> | null = null;

  constructor(
    private readonly repo: DeliveriesRepository,
    private readonly transport: CampaignTransport,
    private readonly ports: SenderPorts,
    private readonly audit: AuditRepository,
    private readonly clock: Clock,
    private readonly log: Logger,
    readonly opts: SenderOptions,
  ) {
    this.deps = { repo, transport, ports, clock, log, opts };
  }

  /** What the helpers in the files beside this one need (progress, batches, crash recovery). */
  private readonly deps: BatchDeps;

  /** Called when there is something to send now (main.ts runs the job at once). */
  onWake(fn: () => void): void {
    this.wakeListeners.push(fn);
  }

  private wake(): void {
    for (const fn of this.wakeListeners) fn();
  }

  /**
   * Freezes the audience: one delivery per current subscriber who gets at least one article.
   * Someone who subscribes later is not added. Idempotent: a second call changes nothing.
   */
  async start(campaignId: number): Promise<{ started: boolean; recipients: number }> {
    const { campaign } = await this.preparedFor(campaignId);
    const kind = campaign.kind === 'alert' ? 'alert' : 'digest';
    // Read a page at a time: only the ids of those who get something are kept, never 100,000 people.
    const ids: number[] = [];
    let after = 0;
    for (let page = 0; page < 1_000_000; page++) {
      const rows = await this.ports.subscribers.audiencePage(kind, after, AUDIENCE_PAGE);
      for (const r of rows) if (campaign.articlesFor(r) > 0) ids.push(r.id);
      if (rows.length < AUDIENCE_PAGE) break;
      after = rows[rows.length - 1]!.id;
    }
    const now = this.clock.now();
    const started = await this.repo.start(campaignId, ids, now);
    // Also after a crash between the two: the deliveries exist, the campaign still says scheduled.
    await this.ports.campaigns.markStarted(campaignId, now);
    if (started) this.wake();
    return { started, recipients: ids.length };
  }

  async pause(campaignId: number, by: Actor): Promise<void> {
    const moved = await this.repo.setState(
      campaignId,
      ['sending'],
      { state: 'paused', pausedReason: { code: CODES.pausedBy, values: { name: by.label } } },
      this.clock.now(),
    );
    if (!moved) throw new ConflictError('Cette lettre n’est pas en cours d’envoi.');
    await this.audit.append({ actor: by, action: 'newsletter.paused', targetType: 'campaign', targetId: campaignId }, this.clock.now());
  }

  async resume(campaignId: number, by: Actor): Promise<void> {
    const moved = await this.repo.setState(campaignId, ['paused'], { state: 'sending', pausedReason: null, consecutiveErrors: 0 }, this.clock.now());
    if (!moved) throw new ConflictError('Cette lettre n’est pas en pause.');
    await this.audit.append({ actor: by, action: 'newsletter.resumed', targetType: 'campaign', targetId: campaignId }, this.clock.now());
    this.wake();
  }

  progress(campaignId: number): Promise<SendProgress> {
    return sendProgress(this.deps, campaignId);
  }

  /**
   * Bounces, complaints and unsubscriptions reported by the sending service (webhooks): each
   * suppresses the address, and is counted against its campaign when it names our delivery.
   */
  async recordFeedback(events: FeedbackEvent[]): Promise<number> {
    const now = this.clock.now();
    for (const e of events) {
      await this.ports.subscribers.suppress(e.email, e.kind, now);
      if (e.kind === 'bounced' && e.deliveryId) {
        await this.bouncedLater(e.deliveryId, now);
        continue;
      }
      if (e.deliveryId) await this.repo.recordFeedback(e.deliveryId, e.kind, now);
      // Unsubscriptions are counted by the subscribers' list itself (a person leaving it).
      if (e.kind !== 'unsubscribed') {
        const campaignId = e.deliveryId ? await this.repo.campaignOf(e.deliveryId) : null;
        this.ports.engagement?.record({ channel: 'newsletter', kind: e.kind === 'bounced' ? 'bounce' : 'complaint', campaignId, at: now });
      }
    }
    return events.length;
  }

  /**
   * A copy the mail server had accepted, reported bounced later: it reached nobody, so its
   * delivery is taken back from the figures (a negative delivery on the day it was counted) and
   * the bounce counted, once however often the service repeats the webhook.
   */
  private async bouncedLater(deliveryId: number, now: Date): Promise<void> {
    const outcome = await this.repo.bounceLater(deliveryId);
    if (outcome === 'already') return;
    const campaignId = outcome === 'missing' ? null : outcome.campaignId;
    this.ports.engagement?.record({ channel: 'newsletter', kind: 'bounce', campaignId, at: now });
    if (outcome === 'missing' || !outcome.sentAt) return;
    const taken = { channel: 'newsletter', kind: 'delivery', campaignId, value: -1, at: outcome.sentAt } as const;
    if (this.ports.engagement?.correct) await this.ports.engagement.correct([taken]);
    else this.ports.engagement?.record(taken);
  }

  /** Counted against the last campaign the person received in the past 30 days. */
  async noteUnsubscribe(subscriberId: number): Promise<void> {
    const now = this.clock.now();
    await this.repo.attributeUnsubscribe(subscriberId, new Date(now.getTime() - 30 * 86_400_000), now);
  }

  /** Sends what is due in every campaign that is sending; returns what happened. */
  async run(): Promise<SendReport> {
    const report: SendReport = { sent: 0, skipped: 0, retrying: 0, failed: 0, bounced: 0, unknown: 0, waiting: 0, paused: 0, done: 0 };
    if (this.stopping) return report;
    const work = (async () => {
      for (const send of await this.repo.inState('sending')) {
        if (this.stopping) break;
        await this.sendCampaign(send.campaignId, report);
      }
    })();
    this.current = work;
    try {
      await work;
    } finally {
      this.current = null;
    }
    return report;
  }

  /** Takes no new batch; the batch in flight is settled before this resolves. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.current?.catch(() => undefined);
    this.transport.close();
  }

  private preparedFor(campaignId: number) {
    let p = this.prepared.get(campaignId);
    if (!p) {
      // Compiled once per campaign and process, then kept: the MJML is never compiled per copy.
      p = (async () => {
        const campaign = await this.ports.campaigns.prepare(campaignId);
        const limits = await this.ports.limits();
        const message = new CampaignMessage({
          campaignId,
          subject: campaign.subject,
          fromName: limits.fromName,
          fromAddress: limits.fromAddress,
          domain: limits.fromAddress.split('@')[1] ?? 'localhost',
          unsubscribeMailto: this.opts.unsubscribeMailto,
        });
        return { campaign, message };
      })();
      p.catch(() => this.prepared.delete(campaignId));
      this.prepared.set(campaignId, p);
    }
    return p;
  }

  private async sendCampaign(campaignId: number, report: SendReport): Promise<void> {
    report.unknown += await recoverAbandoned(this.deps, campaignId);
    const limits = await this.ports.limits();
    const { campaign, message } = await this.preparedFor(campaignId);
    const run: RunState = {
      errorsInRow: (await this.repo.get(campaignId))?.consecutiveErrors ?? 0,
      // Counted once per run, then kept up to date here: counting the last hour's rows before
      // each batch would cost a scan that grows with the campaign.
      budget: limits.hourlyCap - (await this.repo.sentSince(new Date(this.clock.now().getTime() - HOUR))),
      reserved: 0,
      halt: null,
      lastError: null,
    };
    const window = { start: limits.windowStart, end: limits.windowEnd };
    const urgent = campaign.kind === 'alert';

    // Two lanes: while one batch waits for the server's answers, the other claims and builds the
    // next, so the connections never idle between batches. Claims are guarded: no row is taken twice.
    const lane = async () => {
      // Bounded: every pass settles each row it claimed, and stops when nothing is left to claim.
      for (let pass = 0; pass < 1_000_000 && !this.stopping && !run.halt; pass++) {
        const now = this.clock.now();
        if ((await this.repo.get(campaignId))?.state !== 'sending') return;
        // An urgent alert does not wait for the window; the hourly cap, the mail provider's limit, holds.
        if (!urgent && !inSendingWindow(now, window, this.opts.timeZone)) {
          run.halt ??= 'waiting';
          return;
        }
        if (run.budget <= 0) {
          // The other lane's claim may hand part of its share back: then it goes on alone.
          if (run.reserved === 0) run.halt ??= 'waiting';
          return;
        }
        // The share of the hourly cap is taken before the claim is awaited: the other lane, checking
        // the budget meanwhile, must not count the same messages (on PostgreSQL it did: 3 sent, cap 2).
        const share = Math.min(this.opts.batchSize, run.budget);
        run.budget -= share;
        run.reserved += share;
        const claimed = await this.repo.claim(campaignId, this.opts.instance, now, share).finally(() => (run.reserved -= share));
        run.budget += share - claimed.length;
        if (!claimed.length) return;
        await sendBatch(this.deps, campaign, message, claimed, report, run);
        await this.repo.setConsecutiveErrors(campaignId, run.errorsInRow, this.clock.now());
        if (run.errorsInRow >= this.opts.maxConsecutiveErrors && !run.halt) {
          run.halt = 'paused';
          const reason: SendReason = { code: CODES.tooManyErrors, values: { count: run.errorsInRow, error: run.lastError ?? '' } };
          if (await this.repo.setState(campaignId, ['sending'], { state: 'paused', pausedReason: reason }, this.clock.now())) report.paused++;
          this.log.warn({ campaignId, errorsInRow: run.errorsInRow, lastError: run.lastError }, 'campaign paused itself after errors in a row');
        }
      }
    };
    await Promise.all([lane(), lane()]);
    if (run.halt === 'waiting') report.waiting++;
    if (!run.halt) await this.finishIfSettled(campaignId, report);
  }

  private async finishIfSettled(campaignId: number, report: SendReport): Promise<void> {
    const c = await this.repo.counts(campaignId);
    if (c.queued || c.sending) return;
    const now = this.clock.now();
    if (await this.repo.setState(campaignId, ['sending'], { state: 'done', finishedAt: now }, now)) {
      report.done++;
      await this.ports.campaigns.markSent(campaignId, now);
      this.prepared.delete(campaignId);
    }
  }
}
