import type { Knex } from 'knex';
import { fromDbCount, fromDbTime, fromDbTimeOrNull, toDbTime } from '../db/dialect';

export type SendState = 'sending' | 'paused' | 'done';
export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'bounced' | 'skipped' | 'unknown';

/** Why a campaign paused, put into words when shown (sending.messages.ts). */
export interface SendReason {
  code: string;
  values?: Record<string, string | number>;
}

export interface CampaignSend {
  campaignId: number;
  state: SendState;
  startedAt: Date;
  finishedAt: Date | null;
  pausedReason: SendReason | null;
  consecutiveErrors: number;
}

export interface ClaimedDelivery {
  id: number;
  subscriberId: number;
  attempts: number;
}

export type DeliveryCounts = Record<DeliveryStatus, number> & { total: number; complaints: number; unsubscribes: number };

/**
 * Why a delivery ended as it did, or why a send paused (codes, never an address). Kept here,
 * not in the sender: the audit test reads every dotted literal of a file that audits as an action.
 */
export const CODES = {
  pausedBy: 'sending.paused_by',
  tooManyErrors: 'sending.too_many_errors',
  invalidAddress: 'address.invalid',
  unexpected: 'message.unexpected',
  permanent: 'smtp.permanent',
  gaveUp: 'smtp.gave_up',
  temporary: 'smtp.temporary',
  cutAfterData: 'smtp.cut_after_data',
} as const;

const STATUSES: DeliveryStatus[] = ['queued', 'sending', 'sent', 'failed', 'bounced', 'skipped', 'unknown'];
// Bound parameters per statement stay well under SQLite's and PostgreSQL's limits.
const CHUNK = 500;

function toSend(r: Record<string, unknown>): CampaignSend {
  return {
    campaignId: Number(r.campaign_id),
    state: r.state as SendState,
    startedAt: fromDbTime(r.started_at),
    finishedAt: fromDbTimeOrNull(r.finished_at),
    pausedReason: r.paused_reason ? (JSON.parse(String(r.paused_reason)) as SendReason) : null,
    consecutiveErrors: Number(r.consecutive_errors),
  };
}

/** The only code that touches campaign_sends and campaign_deliveries. */
export class DeliveriesRepository {
  constructor(private readonly db: Knex) {}

  /**
   * Freezes the audience: the send and one delivery per subscriber, in one transaction. Answers
   * false, writing nothing, when the campaign had already started (a double click, two instances).
   */
  async start(campaignId: number, subscriberIds: number[], now: Date): Promise<boolean> {
    return this.db.transaction(async (trx) => {
      const inserted = await trx('campaign_sends')
        .insert({ campaign_id: campaignId, state: 'sending', started_at: toDbTime(now), consecutive_errors: 0, updated_at: toDbTime(now) })
        .onConflict('campaign_id')
        .ignore()
        .returning('campaign_id');
      if (inserted.length !== 1) return false;
      for (let i = 0; i < subscriberIds.length; i += CHUNK) {
        const rows = subscriberIds.slice(i, i + CHUNK).map((id) => ({ campaign_id: campaignId, subscriber_id: id, status: 'queued', attempts: 0 }));
        await trx('campaign_deliveries').insert(rows).onConflict(['campaign_id', 'subscriber_id']).ignore();
      }
      return true;
    });
  }

  async get(campaignId: number): Promise<CampaignSend | null> {
    const r = await this.db('campaign_sends').where({ campaign_id: campaignId }).first();
    return r ? toSend(r as Record<string, unknown>) : null;
  }

  async inState(state: SendState): Promise<CampaignSend[]> {
    const rows = await this.db('campaign_sends').where({ state }).orderBy('started_at').orderBy('campaign_id');
    return rows.map((r: Record<string, unknown>) => toSend(r));
  }

  /** Guarded: moves the send only from one of `from`; answers whether it moved. */
  async setState(
    campaignId: number,
    from: SendState[],
    patch: { state: SendState; pausedReason?: SendReason | null; finishedAt?: Date; consecutiveErrors?: number },
    now: Date,
  ): Promise<boolean> {
    const n = await this.db('campaign_sends')
      .where({ campaign_id: campaignId })
      .whereIn('state', from)
      .update({
        state: patch.state,
        ...(patch.pausedReason !== undefined ? { paused_reason: patch.pausedReason ? JSON.stringify(patch.pausedReason) : null } : {}),
        ...(patch.finishedAt ? { finished_at: toDbTime(patch.finishedAt) } : {}),
        ...(patch.consecutiveErrors !== undefined ? { consecutive_errors: patch.consecutiveErrors } : {}),
        updated_at: toDbTime(now),
      });
    return n === 1;
  }

  async setConsecutiveErrors(campaignId: number, n: number, now: Date): Promise<void> {
    await this.db('campaign_sends')
      .where({ campaign_id: campaignId })
      .update({ consecutive_errors: n, updated_at: toDbTime(now) });
  }

  /**
   * Claims up to `limit` queued deliveries that are due (guarded: queued → sending, with this
   * instance's name), in id order so that a resumed send carries on where it stopped.
   */
  async claim(campaignId: number, instance: string, now: Date, limit: number): Promise<ClaimedDelivery[]> {
    const at = toDbTime(now);
    const ids = await this.db('campaign_deliveries')
      .where({ campaign_id: campaignId, status: 'queued' })
      .andWhere((q) => q.whereNull('retry_at').orWhere('retry_at', '<=', at))
      .orderBy('id')
      .limit(limit)
      .pluck('id');
    if (!ids.length) return [];
    const rows = await this.db('campaign_deliveries')
      .whereIn('id', ids)
      .andWhere({ status: 'queued' })
      .update({ status: 'sending', claimed_by: instance, claimed_at: at }, ['id', 'subscriber_id', 'attempts']);
    return (rows as Record<string, unknown>[])
      .map((r) => ({ id: Number(r.id), subscriberId: Number(r.subscriber_id), attempts: Number(r.attempts) }))
      .sort((a, b) => a.id - b.id);
  }

  /**
   * Settles deliveries this instance holds (guarded on `sending` and the claim). Answers how
   * many moved: fewer than asked means someone else settled them, which the caller reports.
   */
  async settle(
    ids: number[],
    instance: string,
    patch: { status: DeliveryStatus; sentAt?: Date; error?: string | null; attempts?: number; retryAt?: Date | null },
  ): Promise<number> {
    let moved = 0;
    for (let i = 0; i < ids.length; i += CHUNK) {
      moved += await this.db('campaign_deliveries')
        .whereIn('id', ids.slice(i, i + CHUNK))
        .andWhere({ status: 'sending', claimed_by: instance })
        .update({
          status: patch.status,
          claimed_by: patch.status === 'queued' ? null : instance,
          ...(patch.sentAt ? { sent_at: toDbTime(patch.sentAt) } : {}),
          ...(patch.error !== undefined ? { error: patch.error } : {}),
          ...(patch.attempts !== undefined ? { attempts: patch.attempts } : {}),
          ...(patch.retryAt !== undefined ? { retry_at: patch.retryAt ? toDbTime(patch.retryAt) : null } : {}),
        });
    }
    return moved;
  }

  /** Deliveries left `sending` (by this or another process) in a campaign. */
  async inFlight(campaignId: number): Promise<{ id: number; claimedBy: string | null; claimedAt: Date | null }[]> {
    const rows = await this.db('campaign_deliveries').where({ campaign_id: campaignId, status: 'sending' }).select('id', 'claimed_by', 'claimed_at');
    return rows.map((r: Record<string, unknown>) => ({
      id: Number(r.id),
      claimedBy: (r.claimed_by as string) ?? null,
      claimedAt: fromDbTimeOrNull(r.claimed_at),
    }));
  }

  /** A crash cut these short: nobody knows whether the server took them. Guarded on the old claim. */
  async markUnknown(ids: number[], holder: string | null): Promise<number> {
    let moved = 0;
    for (let i = 0; i < ids.length; i += CHUNK) {
      const q = this.db('campaign_deliveries')
        .whereIn('id', ids.slice(i, i + CHUNK))
        .andWhere({ status: 'sending' });
      if (holder) q.andWhere({ claimed_by: holder });
      else q.whereNull('claimed_by');
      moved += await q.update({ status: 'unknown', error: 'crash.unknown' });
    }
    return moved;
  }

  async counts(campaignId: number): Promise<DeliveryCounts> {
    const rows: { status: string; n: unknown }[] = await this.db('campaign_deliveries')
      .where({ campaign_id: campaignId })
      .select('status')
      .count({ n: '*' })
      .groupBy('status');
    const out = Object.fromEntries(STATUSES.map((s) => [s, 0])) as DeliveryCounts;
    out.total = 0;
    for (const r of rows) {
      out[r.status as DeliveryStatus] = fromDbCount(r.n);
      out.total += fromDbCount(r.n);
    }
    const fb: { feedback: string; n: unknown }[] = await this.db('campaign_deliveries')
      .where({ campaign_id: campaignId })
      .whereNotNull('feedback')
      .select('feedback')
      .count({ n: '*' })
      .groupBy('feedback');
    out.complaints = fromDbCount(fb.find((r) => r.feedback === 'complaint')?.n);
    out.unsubscribes = fromDbCount(fb.find((r) => r.feedback === 'unsubscribed')?.n);
    return out;
  }

  /** Messages that went out since `since`, every campaign together (the hourly cap). */
  async sentSince(since: Date, campaignId?: number): Promise<number> {
    const q = this.db('campaign_deliveries').where({ status: 'sent' }).andWhere('sent_at', '>=', toDbTime(since));
    if (campaignId !== undefined) q.andWhere({ campaign_id: campaignId });
    const r = await q.count({ n: '*' }).first();
    return fromDbCount(r?.n);
  }

  /** The earliest retry planned in a campaign, if only retries are left. */
  async nextRetry(campaignId: number): Promise<Date | null> {
    const r = await this.db('campaign_deliveries').where({ campaign_id: campaignId, status: 'queued' }).min({ at: 'retry_at' }).first();
    return fromDbTimeOrNull(r?.at);
  }

  async byId(id: number): Promise<{ id: number; campaignId: number; subscriberId: number; status: DeliveryStatus } | null> {
    const r = await this.db('campaign_deliveries').where({ id }).first();
    return r ? { id: Number(r.id), campaignId: Number(r.campaign_id), subscriberId: Number(r.subscriber_id), status: r.status as DeliveryStatus } : null;
  }

  /**
   * A bounce, complaint or unsubscription reported later by the sending service: a bounce turns
   * the delivery bounced; the others are noted beside its outcome. Answers whether it was found.
   */
  async recordFeedback(id: number, kind: 'bounced' | 'complaint' | 'unsubscribed', at: Date): Promise<boolean> {
    const q = this.db('campaign_deliveries').where({ id });
    const n =
      kind === 'bounced'
        ? await q.whereIn('status', ['sent', 'unknown']).update({ status: 'bounced', error: 'feedback.bounced' })
        : await q.update({ feedback: kind, feedback_at: toDbTime(at) });
    return n === 1;
  }

  /**
   * A hard bounce reported after the send: the delivery becomes bounced, once. Answers 'missing'
   * (not ours), 'already' (bounced before: a repeated webhook, or refused at send time), or the
   * campaign and, when the copy had been counted as delivered (status sent), when it was sent.
   */
  async bounceLater(id: number): Promise<'missing' | 'already' | { campaignId: number; sentAt: Date | null }> {
    const row = await this.db('campaign_deliveries').where({ id }).first('campaign_id', 'status', 'sent_at');
    if (!row) return 'missing';
    if (row.status !== 'sent' && row.status !== 'unknown') return 'already';
    // Guarded by the status read: of two webhooks at once, one moves it.
    const n = await this.db('campaign_deliveries').where({ id, status: row.status }).update({ status: 'bounced', error: 'feedback.bounced' });
    if (n !== 1) return 'already';
    return { campaignId: Number(row.campaign_id), sentAt: row.status === 'sent' ? fromDbTimeOrNull(row.sent_at) : null };
  }

  /** The campaign a delivery belongs to (feedback reported by the sending service). */
  async campaignOf(id: number): Promise<number | null> {
    const row = await this.db('campaign_deliveries').where({ id }).first('campaign_id');
    return row ? Number(row.campaign_id) : null;
  }

  /** Someone unsubscribed: counted against the last campaign they received, within `since`. */
  async attributeUnsubscribe(subscriberId: number, since: Date, at: Date): Promise<boolean> {
    const last = await this.db('campaign_deliveries')
      .where({ subscriber_id: subscriberId, status: 'sent' })
      .andWhere('sent_at', '>=', toDbTime(since))
      .orderBy('sent_at', 'desc')
      .first('id');
    if (!last) return false;
    const n = await this.db('campaign_deliveries')
      .where({ id: last.id })
      .whereNull('feedback')
      .update({ feedback: 'unsubscribed', feedback_at: toDbTime(at) });
    return n === 1;
  }
}
