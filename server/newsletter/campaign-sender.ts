import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { Actor, AuditRepository } from '../audit/audit.repository';
import { holderIsDeadHere } from '../jobs/job-runner';
import { ConflictError, NotFoundError } from '../http/errors';
import { CampaignMessage, isSafeAddress } from './raw-message';
import type { CampaignTransport, SendOutcome } from './campaign-transport';
import { CODES, type ClaimedDelivery, type DeliveriesRepository, type SendReason } from './deliveries.repository';
import { inSendingWindow } from './sending-window';
import type { FeedbackEvent } from './sending-feedback';
import type { RunState, SendableCampaign, SendProgress, SendRecipient, SenderOptions, SenderPorts, SendReport } from './campaign-sender.types';

export type { SendableCampaign, SendProgress, SendRecipient, SenderOptions, SenderPorts, SendReport } from './campaign-sender.types';

const HOUR = 3600_000;

/**
 * Sends campaigns: the audience is frozen into delivery rows when a campaign starts; `run`
 * (a leased job, also woken at once by `start` and `resume`) claims queued rows in batches with
 * a guarded update, checks each person is still subscribed, sends, and settles each row. A
 * crash leaves rows `sending`: the next run reports them as unknown and never sends them again.
 */
export class CampaignSender {
  private stopping = false;
  private readonly wakeListeners: (() => void)[] = [];
  private readonly prepared = new Map<number, Promise<{ campaign: SendableCampaign; message: CampaignMessage }>>();
  private current: Promise<unknown> | null = null;
  /** The recipients read when a campaign started here, kept until its send ends. */
  private readonly audiences = new Map<number, Map<number, SendRecipient>>();

  constructor(
    private readonly repo: DeliveriesRepository,
    private readonly transport: CampaignTransport,
    private readonly ports: SenderPorts,
    private readonly audit: AuditRepository,
    private readonly clock: Clock,
    private readonly log: Logger,
    readonly opts: SenderOptions,
  ) {}

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
    const audience = await this.ports.subscribers.audience(campaign.kind === 'alert' ? 'alert' : 'digest');
    const kept = audience.filter((r) => campaign.articlesFor(r) > 0);
    const ids = kept.map((r) => r.id);
    const now = this.clock.now();
    const started = await this.repo.start(campaignId, ids, now);
    // Also after a crash between the two: the deliveries exist, the campaign still says scheduled.
    await this.ports.campaigns.markStarted(campaignId, now);
    if (started) {
      // The run that follows in this process uses these instead of reading 100,000 people again.
      this.audiences.set(campaignId, new Map(kept.map((r) => [r.id, r])));
      this.wake();
    }
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

  async progress(campaignId: number): Promise<SendProgress> {
    const send = await this.repo.get(campaignId);
    if (!send) throw new NotFoundError('Cette lettre n’a pas commencé à partir.');
    const now = this.clock.now();
    const counts = await this.repo.counts(campaignId);
    const remaining = counts.queued + counts.sending;
    const failed = counts.failed + counts.bounced;
    const settled = counts.total - remaining;
    let waitingFor: SendProgress['waitingFor'] = null;
    let secondsLeft: number | null = null;
    if (send.state === 'sending' && remaining > 0) {
      const limits = await this.ports.limits();
      if (!inSendingWindow(now, { start: limits.windowStart, end: limits.windowEnd }, this.opts.timeZone)) waitingFor = 'window';
      else if ((await this.repo.sentSince(new Date(now.getTime() - HOUR))) >= limits.hourlyCap) waitingFor = 'cap';
      const recent = await this.repo.sentSince(new Date(now.getTime() - 600_000), campaignId);
      // The pace of the last ten minutes, never faster than the hourly cap allows.
      const perSecond = Math.min(recent / 600, limits.hourlyCap / 3600);
      if (perSecond > 0) secondsLeft = Math.ceil(remaining / perSecond);
    }
    if (remaining === 0) secondsLeft = 0;
    return {
      state: send.state,
      counts,
      sent: counts.sent,
      remaining,
      failed,
      percent: counts.total ? Math.floor((settled * 100) / counts.total) : 100,
      secondsLeft,
      pausedReason: send.pausedReason,
      waitingFor,
    };
  }

  /**
   * Bounces, complaints and unsubscriptions reported by the sending service (webhooks): each
   * suppresses the address, and is counted against its campaign when it names our delivery.
   */
  async recordFeedback(events: FeedbackEvent[]): Promise<number> {
    const now = this.clock.now();
    for (const e of events) {
      await this.ports.subscribers.suppress(e.email, e.kind, now);
      if (e.deliveryId) await this.repo.recordFeedback(e.deliveryId, e.kind, now);
      // Unsubscriptions are counted by the subscribers' list itself (a person leaving it).
      if (e.kind !== 'unsubscribed') {
        const campaignId = e.deliveryId ? await this.repo.campaignOf(e.deliveryId) : null;
        this.ports.engagement?.record({ channel: 'newsletter', kind: e.kind === 'bounced' ? 'bounce' : 'complaint', campaignId, at: now });
      }
    }
    return events.length;
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

  /** Rows left `sending` by a dead process (here at once, elsewhere after the timeout) become unknown. */
  private async recoverAbandoned(campaignId: number): Promise<number> {
    const now = this.clock.now().getTime();
    const byHolder = new Map<string | null, number[]>();
    for (const d of await this.repo.inFlight(campaignId)) {
      const mine = d.claimedBy === this.opts.instance;
      const dead = !!d.claimedBy && !mine && holderIsDeadHere(d.claimedBy);
      const old = (d.claimedAt?.getTime() ?? 0) < now - this.opts.sendingTimeoutMs;
      // This process's own rows are never abandoned: a batch settles them before it ends.
      if (mine || (!dead && !old)) continue;
      byHolder.set(d.claimedBy, [...(byHolder.get(d.claimedBy) ?? []), d.id]);
    }
    let n = 0;
    for (const [holder, ids] of byHolder) n += await this.repo.markUnknown(ids, holder);
    if (n) this.log.warn({ campaignId, unknown: n }, 'deliveries cut short by a crash are reported as unknown, not sent again');
    return n;
  }

  private async sendCampaign(campaignId: number, report: SendReport): Promise<void> {
    report.unknown += await this.recoverAbandoned(campaignId);
    const limits = await this.ports.limits();
    const { campaign, message } = await this.preparedFor(campaignId);
    const run: RunState = {
      errorsInRow: (await this.repo.get(campaignId))?.consecutiveErrors ?? 0,
      // Counted once per run, then kept up to date here: counting the last hour's rows before
      // each batch would cost a scan that grows with the campaign.
      budget: limits.hourlyCap - (await this.repo.sentSince(new Date(this.clock.now().getTime() - HOUR))),
      halt: null,
      lastError: null,
      recipients: null,
    };
    const window = { start: limits.windowStart, end: limits.windowEnd };

    // Two lanes: while one batch waits for the server's answers, the other claims and builds the
    // next, so the connections never idle between batches. Claims are guarded: no row is taken twice.
    const lane = async () => {
      // Bounded: every pass settles each row it claimed, and stops when nothing is left to claim.
      for (let pass = 0; pass < 1_000_000 && !this.stopping && !run.halt; pass++) {
        const now = this.clock.now();
        if ((await this.repo.get(campaignId))?.state !== 'sending') return;
        if (!inSendingWindow(now, window, this.opts.timeZone) || run.budget <= 0) {
          run.halt ??= 'waiting';
          return;
        }
        const claimed = await this.repo.claim(campaignId, this.opts.instance, now, Math.min(this.opts.batchSize, run.budget));
        if (!claimed.length) return;
        run.budget -= claimed.length;
        const known = this.audiences.get(campaignId);
        run.recipients ??= known
          ? Promise.resolve(known)
          : this.ports.subscribers.audience(campaign.kind === 'alert' ? 'alert' : 'digest').then((all) => new Map(all.map((r) => [r.id, r])));
        await this.sendBatch(campaign, message, claimed, await run.recipients, report, run);
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
      this.audiences.delete(campaignId);
    }
  }

  /** Copies the mail server accepted: one count for the campaign, and one per article they held. */
  private countDelivered(campaign: SendableCampaign, results: { r: SendRecipient; out: SendOutcome }[], at: Date): void {
    const engagement = this.ports.engagement;
    if (!engagement) return;
    let delivered = 0;
    const perArticle = new Map<number, number>();
    for (const { r, out } of results) {
      if (!out.ok) continue;
      delivered++;
      for (const id of campaign.articleIdsFor?.(r) ?? []) perArticle.set(id, (perArticle.get(id) ?? 0) + 1);
    }
    const campaignId = campaign.campaignId;
    engagement.record({ channel: 'newsletter', kind: 'delivery', campaignId, value: delivered, at });
    for (const [articleId, n] of perArticle) engagement.record({ channel: 'newsletter', kind: 'article_delivery', campaignId, articleId, value: n, at });
  }

  private async sendBatch(
    campaign: SendableCampaign,
    message: CampaignMessage,
    claimed: ClaimedDelivery[],
    recipients: Map<number, SendRecipient>,
    report: SendReport,
    run: RunState,
  ): Promise<void> {
    const instance = this.opts.instance;
    // Checked just before sending: whoever unsubscribed since the start gets nothing more.
    const still = await this.ports.subscribers.stillSubscribed(claimed.map((d) => d.subscriberId));
    const gone: number[] = [];
    const empty: number[] = [];
    const invalid: number[] = [];
    const toSend: { d: ClaimedDelivery; r: SendRecipient }[] = [];
    for (const d of claimed) {
      const r = recipients.get(d.subscriberId);
      if (!r || !still.has(d.subscriberId)) gone.push(d.id);
      else if (campaign.articlesFor(r) === 0) empty.push(d.id);
      else if (!isSafeAddress(r.email)) invalid.push(d.id);
      else toSend.push({ d, r });
    }
    if (gone.length) report.skipped += await this.repo.settle(gone, instance, { status: 'skipped', error: 'unsubscribed' });
    if (empty.length) report.skipped += await this.repo.settle(empty, instance, { status: 'skipped', error: 'empty' });
    if (invalid.length) report.failed += await this.repo.settle(invalid, instance, { status: 'failed', error: CODES.invalidAddress });

    const from = await this.ports.limits();
    const results = await Promise.all(
      toSend.map(async ({ d, r }): Promise<{ d: ClaimedDelivery; r: SendRecipient; out: SendOutcome }> => {
        let built: { raw: Buffer; html: string; text: string };
        try {
          const unsubscribeUrl = this.ports.links.unsubscribeUrl(r.id);
          const { html, text } = campaign.personalise(r, { manageUrl: this.ports.links.manageUrl(r.id), unsubscribeUrl });
          built = { raw: message.build({ deliveryId: d.id, to: r.email, unsubscribeUrl, html, text, date: this.clock.now() }).raw, html, text };
        } catch (err) {
          // Nothing left for the server: the row is retried like a temporary error, never left `sending`.
          this.log.error({ err, deliveryId: d.id }, 'a campaign message could not be built');
          return { d, r, out: { ok: false, permanent: false, code: CODES.unexpected } };
        }
        const copy = { to: r.email, subject: campaign.subject, text: built.text, html: built.html };
        const out = await this.transport.send(built.raw, { from: from.fromAddress, to: r.email }, copy);
        return { d, r, out };
      }),
    );

    const now = this.clock.now();
    const sent: number[] = [];
    const bounced: { id: number; email: string }[] = [];
    const retry = new Map<number, number[]>(); // attempts → ids
    const failed: number[] = [];
    for (const { d, r, out } of results) {
      if (out.ok) {
        sent.push(d.id);
        run.errorsInRow = 0;
        continue;
      }
      run.errorsInRow++;
      run.lastError = out.status ? `${out.status}` : out.code;
      if (out.permanent) bounced.push({ id: d.id, email: r.email });
      else if (d.attempts + 1 >= this.opts.maxAttempts) failed.push(d.id);
      else retry.set(d.attempts + 1, [...(retry.get(d.attempts + 1) ?? []), d.id]);
    }
    if (sent.length) {
      const moved = await this.repo.settle(sent, instance, { status: 'sent', sentAt: now, error: null });
      if (moved !== sent.length) this.log.error({ expected: sent.length, moved }, 'some sent deliveries were settled by someone else');
      report.sent += moved;
      this.countDelivered(campaign, results, now);
    }
    for (const b of bounced) {
      await this.repo.settle([b.id], instance, { status: 'bounced', error: CODES.permanent });
      await this.ports.subscribers.suppress(b.email, 'bounced', now);
      report.bounced++;
    }
    if (bounced.length)
      this.ports.engagement?.record({ channel: 'newsletter', kind: 'bounce', campaignId: campaign.campaignId, value: bounced.length, at: now });
    if (failed.length) report.failed += await this.repo.settle(failed, instance, { status: 'failed', error: CODES.gaveUp, attempts: this.opts.maxAttempts });
    for (const [attempts, ids] of retry) {
      const at = new Date(now.getTime() + this.opts.retryBaseMs * 2 ** (attempts - 1));
      report.retrying += await this.repo.settle(ids, instance, { status: 'queued', attempts, retryAt: at, error: CODES.temporary });
    }
  }
}
