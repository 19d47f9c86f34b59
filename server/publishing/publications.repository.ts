/* eslint-disable @typescript-eslint/no-explicit-any -- knex rows are untyped until mapped here */
import type { Knex } from 'knex';
import { fromDbBool, fromDbTime, fromDbTimeOrNull, toDbTime } from '../db/dialect';
import { decodeMessage, encodeMessage, type ChannelMessage } from './publishing.messages';

// `queued`: accepted by a channel that reports delivery later (a newsletter campaign).
export const PUBLICATION_STATUSES = [
  'planned',
  'pending',
  'sending',
  'queued',
  'sent',
  'failed',
  'skipped',
  'cancelled',
  'uncertain',
  'held',
  'retracted',
] as const;
export type PublicationStatus = (typeof PUBLICATION_STATUSES)[number];

/** Not gone out yet nor being sent: an officer may still move, cancel or re-plan these. */
export const OPEN_STATUSES: PublicationStatus[] = ['planned', 'pending', 'held'];

export interface Publication {
  id: number;
  articleId: number;
  accountId: number;
  channel: string;
  textVariant: string | null;
  /** The officer chose to post a long text as a thread. */
  asThread: boolean;
  scheduledAt: Date;
  status: PublicationStatus;
  dueAt: Date;
  attempts: number;
  /** A code and its values, put into words when shown (publishing.messages.ts). */
  lastError: ChannelMessage | null;
  lateConfirmed: boolean;
  externalId: string | null;
  externalUrl: string | null;
  claimedBy: string | null;
  claimedAt: Date | null;
  sentAt: Date | null;
  updatedAt: Date;
}

export function toPublication(r: any): Publication {
  return {
    id: r.id,
    articleId: r.article_id,
    accountId: r.account_id,
    channel: r.channel,
    textVariant: r.text_variant,
    asThread: fromDbBool(r.as_thread),
    scheduledAt: fromDbTime(r.scheduled_at),
    status: r.status,
    dueAt: fromDbTime(r.due_at),
    attempts: Number(r.attempts),
    lastError: decodeMessage(r.last_error),
    lateConfirmed: fromDbBool(r.late_confirmed),
    externalId: r.external_id,
    externalUrl: r.external_url,
    claimedBy: r.claimed_by,
    claimedAt: fromDbTimeOrNull(r.claimed_at),
    sentAt: fromDbTimeOrNull(r.sent_at),
    updatedAt: fromDbTime(r.updated_at),
  };
}

/**
 * Every state change of a publication is a guarded update: it names the status it expects to
 * leave, and the caller checks that exactly one row changed. That is what makes a publication go
 * out once even with two dispatchers, a retry click and a crash at the same moment.
 */
export class PublicationsRepository {
  constructor(private readonly db: Knex) {}

  async get(id: number, trx: Knex = this.db): Promise<Publication | null> {
    const r = await trx('publications').where({ id }).first();
    return r ? toPublication(r) : null;
  }

  async forArticle(articleId: number, trx: Knex = this.db): Promise<Publication[]> {
    return (await trx('publications').where({ article_id: articleId }).orderBy('id')).map(toPublication);
  }

  async forArticles(articleIds: number[]): Promise<Publication[]> {
    if (!articleIds.length) return [];
    return (await this.db('publications').whereIn('article_id', articleIds).orderBy('id')).map(toPublication);
  }

  async insert(
    p: {
      articleId: number;
      accountId: number;
      channel: string;
      textVariant: string | null;
      scheduledAt: Date;
      status?: PublicationStatus;
      asThread?: boolean;
    },
    now: Date,
    trx: Knex = this.db,
  ): Promise<number> {
    const [row] = await trx('publications')
      .insert({
        article_id: p.articleId,
        account_id: p.accountId,
        channel: p.channel,
        text_variant: p.textVariant,
        as_thread: p.asThread ?? false,
        scheduled_at: toDbTime(p.scheduledAt),
        due_at: toDbTime(p.scheduledAt),
        status: p.status ?? 'pending',
        created_at: toDbTime(now),
        updated_at: toDbTime(now),
      })
      .returning('id');
    return typeof row === 'object' ? (row as { id: number }).id : (row as number);
  }

  /** Ids of pending publications whose time has come, oldest first. */
  async dueIds(now: Date, limit: number): Promise<number[]> {
    const rows = await this.db('publications')
      .where('status', 'pending')
      .andWhere('due_at', '<=', toDbTime(now))
      .orderBy('due_at')
      .orderBy('id')
      .limit(limit)
      .select('id');
    return rows.map((r: any) => r.id as number);
  }

  /** pending → sending for this instance; true when this caller won the row. */
  async claim(id: number, instance: string, now: Date): Promise<boolean> {
    return !!(await this.claimRow(id, instance, now));
  }

  /**
   * The same claim, answering the claimed row: one statement instead of an update and a read,
   * on the dispatcher's hot path (RETURNING: SQLite 3.35+ and PostgreSQL).
   */
  async claimRow(id: number, instance: string, now: Date): Promise<Publication | null> {
    const rows = await this.db('publications')
      .where({ id, status: 'pending' })
      .andWhere('due_at', '<=', toDbTime(now))
      .update({ status: 'sending', claimed_by: instance, claimed_at: toDbTime(now), updated_at: toDbTime(now) }, '*');
    return rows.length === 1 ? toPublication(rows[0]) : null;
  }

  /** Moves a row from one of `from` to a new state; returns whether exactly one row changed. */
  async transition(
    id: number,
    from: PublicationStatus[],
    patch: Partial<{
      status: PublicationStatus;
      dueAt: Date;
      attempts: number;
      lastError: ChannelMessage | null;
      externalId: string | null;
      externalUrl: string | null;
      sentAt: Date | null;
      scheduledAt: Date;
      textVariant: string | null;
      asThread: boolean;
      lateConfirmed: boolean;
      claimedBy: string | null;
    }>,
    now: Date,
    trx: Knex = this.db,
    guard?: { claimedBy?: string },
  ): Promise<boolean> {
    const row: Record<string, unknown> = { updated_at: toDbTime(now) };
    if (patch.status !== undefined) row.status = patch.status;
    if (patch.dueAt !== undefined) row.due_at = toDbTime(patch.dueAt);
    if (patch.scheduledAt !== undefined) row.scheduled_at = toDbTime(patch.scheduledAt);
    if (patch.attempts !== undefined) row.attempts = patch.attempts;
    if (patch.lastError !== undefined) row.last_error = encodeMessage(patch.lastError);
    if (patch.externalId !== undefined) row.external_id = patch.externalId;
    if (patch.externalUrl !== undefined) row.external_url = patch.externalUrl;
    if (patch.sentAt !== undefined) row.sent_at = patch.sentAt ? toDbTime(patch.sentAt) : null;
    if (patch.textVariant !== undefined) row.text_variant = patch.textVariant;
    if (patch.asThread !== undefined) row.as_thread = patch.asThread;
    if (patch.lateConfirmed !== undefined) row.late_confirmed = patch.lateConfirmed;
    if (patch.claimedBy !== undefined) row.claimed_by = patch.claimedBy;
    const q = trx('publications').where({ id }).whereIn('status', from);
    if (guard?.claimedBy) q.andWhere('claimed_by', guard.claimedBy);
    return (await q.update(row)) === 1;
  }

  /** Rows in `sending`, with who claimed them and when: the dispatcher decides which were abandoned. */
  async sending(): Promise<Publication[]> {
    return (await this.db('publications').where('status', 'sending')).map(toPublication);
  }

  /**
   * The named query the site asks (it owns no publication): joins to `query`, as `alias`, the
   * publication that put each article online (a channel that follows the article, sent); its
   * `sent_at` is when the article went online. One channel follows the article (the site), so the
   * join adds no row.
   */
  joinOnline(query: Knex.QueryBuilder, articleColumn: string, alias: string, followingChannels: string[]): Knex.QueryBuilder {
    const db = this.db;
    return query.join(`publications as ${alias}`, function () {
      this.on(`${alias}.article_id`, '=', articleColumn)
        .andOn(`${alias}.status`, '=', db.raw('?', ['sent']))
        .andOn(db.raw(`${alias}.channel in (${followingChannels.map(() => '?').join(', ') || 'null'})`, followingChannels));
    });
  }

  /** Whether the article is online: a publication of a channel that follows the article went out. */
  async articleOnline(articleId: number, followingChannels: string[]): Promise<boolean> {
    if (!followingChannels.length) return true;
    const row = await this.db('publications').where({ article_id: articleId, status: 'sent' }).whereIn('channel', followingChannels).first('id');
    return !!row;
  }

  /** The article's page went online: posts that waited for it are due now. */
  async releaseWaitingForSite(articleId: number, now: Date): Promise<void> {
    await this.db('publications')
      .where({ article_id: articleId, status: 'pending' })
      .andWhere('last_error', 'like', '%"publication.waiting_site_page"%')
      .update({ due_at: toDbTime(now), updated_at: toDbTime(now) });
  }

  /** The account was reconnected: what waited for it is due now. */
  async releaseAccount(accountId: number, now: Date): Promise<number> {
    return this.db('publications')
      .where({ account_id: accountId, status: 'pending' })
      .andWhere('due_at', '>', toDbTime(now))
      .andWhere('last_error', 'like', '%"account.%')
      .update({ due_at: toDbTime(now), updated_at: toDbTime(now) });
  }

  /** Publications sent since `since` on the given channels, for the metrics job. */
  async sentSince(since: Date, channels: string[]): Promise<Publication[]> {
    if (!channels.length) return [];
    return (
      await this.db('publications')
        .where('status', 'sent')
        .whereIn('channel', channels)
        .andWhere('sent_at', '>=', toDbTime(since))
        .whereNotNull('external_id')
        .orderBy('id')
    ).map(toPublication);
  }

  /** When each publication's figures were last taken. */
  async lastMetricsAt(ids: number[]): Promise<Map<number, Date>> {
    const out = new Map<number, Date>();
    if (!ids.length) return out;
    const rows: any[] = await this.db('publication_metrics')
      .whereIn('publication_id', ids)
      .groupBy('publication_id')
      .select('publication_id')
      .max({ at: 'taken_at' });
    for (const r of rows) out.set(Number(r.publication_id), fromDbTime(r.at));
    return out;
  }

  async insertMetrics(publicationId: number, metrics: Record<string, number>, takenAt: Date): Promise<void> {
    await this.db('publication_metrics').insert({ publication_id: publicationId, taken_at: toDbTime(takenAt), metrics: JSON.stringify(metrics) });
  }

  async metricsOf(publicationId: number): Promise<{ takenAt: Date; metrics: Record<string, number> }[]> {
    const rows = await this.db('publication_metrics').where({ publication_id: publicationId }).orderBy('taken_at');
    return rows.map((r: any) => ({ takenAt: fromDbTime(r.taken_at), metrics: JSON.parse(r.metrics) as Record<string, number> }));
  }

  /** Pushes back every pending publication of an account until a rate limit resets. */
  async deferAccount(accountId: number, until: Date, now: Date): Promise<void> {
    await this.db('publications')
      .where({ account_id: accountId, status: 'pending' })
      .andWhere('due_at', '<', toDbTime(until))
      .update({ due_at: toDbTime(until), updated_at: toDbTime(now) });
  }

  /** Releases rows this instance claimed but never started (shutdown). */
  async releaseClaimed(ids: number[], instance: string, now: Date): Promise<void> {
    if (!ids.length) return;
    await this.db('publications')
      .whereIn('id', ids)
      .andWhere({ status: 'sending', claimed_by: instance })
      .update({ status: 'pending', claimed_by: null, claimed_at: null, updated_at: toDbTime(now) });
  }

  async listByStatus(statuses: PublicationStatus[], limit = 200): Promise<Publication[]> {
    return (await this.db('publications').whereIn('status', statuses).orderBy('updated_at', 'desc').limit(limit)).map(toPublication);
  }

  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.db('publications').select('status').count({ n: '*' }).groupBy('status');
    return Object.fromEntries(rows.map((r: any) => [r.status, Number(r.n)]));
  }

  /** The parts of a thread its network accepted, in order. */
  async parts(publicationId: number): Promise<PublicationPart[]> {
    const rows = await this.db('publication_parts').where({ publication_id: publicationId }).orderBy('idx');
    return rows.map((r: any) => ({
      index: Number(r.idx),
      externalId: r.external_id,
      url: r.url,
      data: r.data ? (JSON.parse(r.data) as Record<string, unknown>) : {},
      sentAt: fromDbTime(r.sent_at),
    }));
  }

  /** Parts of several publications at once (the channels page), by publication id. */
  async partsOf(publicationIds: number[]): Promise<Map<number, PublicationPart[]>> {
    const out = new Map<number, PublicationPart[]>();
    if (!publicationIds.length) return out;
    const rows = await this.db('publication_parts').whereIn('publication_id', publicationIds).orderBy('publication_id').orderBy('idx');
    for (const r of rows as any[]) {
      const list = out.get(Number(r.publication_id)) ?? [];
      list.push({ index: Number(r.idx), externalId: r.external_id, url: r.url, data: r.data ? JSON.parse(r.data) : {}, sentAt: fromDbTime(r.sent_at) });
      out.set(Number(r.publication_id), list);
    }
    return out;
  }

  /** One part accepted by the network; recording it again (a retry that found it) keeps one row. */
  async recordPart(publicationId: number, index: number, externalId: string, url: string | null, data: Record<string, unknown>, now: Date): Promise<void> {
    await this.db('publication_parts')
      .insert({ publication_id: publicationId, idx: index, external_id: externalId, url, data: JSON.stringify(data), sent_at: toDbTime(now) })
      .onConflict(['publication_id', 'idx'])
      .merge(['external_id', 'url', 'data']);
  }

  /** The adapter's durable state of a publication (record keys, idempotency keys). */
  async adapterState(publicationId: number): Promise<Record<string, unknown>> {
    const r = await this.db('publications').where({ id: publicationId }).first('adapter_state');
    if (!r?.adapter_state) return {};
    try {
      return JSON.parse(r.adapter_state) as Record<string, unknown>;
    } catch {
      return {};
    }
  }

  /** Merges `patch` into the adapter's state; a key set to null is removed. */
  async patchAdapterState(publicationId: number, patch: Record<string, unknown>, now: Date): Promise<void> {
    await this.db.transaction(async (trx) => {
      const r = await trx('publications').where({ id: publicationId }).first('adapter_state');
      if (!r) return;
      const state = { ...(r.adapter_state ? (JSON.parse(r.adapter_state) as Record<string, unknown>) : {}), ...patch };
      for (const [k, v] of Object.entries(state)) if (v === null) delete state[k];
      const json = JSON.stringify(state);
      if (json.length > 20_000) throw new Error('adapter state too large');
      await trx('publications')
        .where({ id: publicationId })
        .update({ adapter_state: json, updated_at: toDbTime(now) });
    });
  }
}

export interface PublicationPart {
  index: number;
  externalId: string;
  url: string | null;
  data: Record<string, unknown>;
  sentAt: Date;
}
