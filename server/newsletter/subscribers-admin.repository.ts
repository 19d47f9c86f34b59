/* eslint-disable @typescript-eslint/no-explicit-any -- knex rows are untyped until mapped here */
import type { Knex } from 'knex';
import { escapeLike, fromDbCount, LIKE_ESCAPE, likeOperator } from '../db/dialect';
import { mapRow, type Subscriber, type SubscriberStatus } from './subscribers.repository';

export interface ListFilter {
  q?: string;
  status?: SubscriberStatus;
  topic?: number;
}

export interface ListCounts {
  confirmed: number;
  pending: number;
  alertsOnly: number;
  /** Confirmed subscribers per topic (category id). */
  byTopic: Record<number, number>;
}

// SQLite allows 32,766 bound parameters per statement; stay well below.
const CHUNK = 5_000;

/** The staff's reads of the list: search, filters, counts, export. Only read queries here. */
export class SubscribersAdminRepository {
  constructor(private readonly db: Knex) {}

  private filtered(f: ListFilter) {
    return this.db('subscribers as s').modify((q) => {
      if (f.q) q.whereRaw(`s.email ${likeOperator(this.db)} ? ${LIKE_ESCAPE}`, [`%${escapeLike(f.q.toLowerCase())}%`]);
      if (f.status) q.where('s.status', f.status);
      if (f.topic) q.whereExists(this.db('subscriber_topics as st').whereRaw('st.subscriber_id = s.id').andWhere('st.category_id', f.topic));
    });
  }

  async list(f: ListFilter & { limit: number; offset: number }): Promise<{ rows: Subscriber[]; total: number }> {
    const base = this.filtered(f);
    const [rows, count] = await Promise.all([
      base.clone().select('s.*').orderBy('s.id', 'desc').limit(f.limit).offset(f.offset),
      base.clone().count({ n: '*' }).first(),
    ]);
    return { rows: await this.attachTopics(rows as any[]), total: fromDbCount((count as any)?.n) };
  }

  async counts(): Promise<ListCounts> {
    const [byStatus, alerts, byTopic] = await Promise.all([
      this.db('subscribers').select('status').count({ n: '*' }).groupBy('status'),
      this.db('subscribers').where({ status: 'confirmed', alerts_only: true }).count({ n: '*' }).first(),
      this.db('subscriber_topics as st')
        .join('subscribers as s', 's.id', 'st.subscriber_id')
        .where('s.status', 'confirmed')
        .select('st.category_id')
        .count({ n: '*' })
        .groupBy('st.category_id'),
    ]);
    const status = new Map((byStatus as any[]).map((r) => [r.status, fromDbCount(r.n)]));
    return {
      confirmed: status.get('confirmed') ?? 0,
      pending: status.get('pending') ?? 0,
      alertsOnly: fromDbCount((alerts as any)?.n),
      byTopic: Object.fromEntries((byTopic as any[]).map((r) => [Number(r.category_id), fromDbCount(r.n)])),
    };
  }

  /** Every subscriber, in id order, a page at a time (an export of 100,000 rows stays small in memory). */
  async *all(pageSize = 2_000): AsyncGenerator<Subscriber[]> {
    let after = 0;
    for (;;) {
      const rows = (await this.db('subscribers').where('id', '>', after).orderBy('id').limit(pageSize)) as any[];
      if (!rows.length) return;
      yield await this.attachTopics(rows);
      after = Number(rows[rows.length - 1].id);
    }
  }

  /** Which of these (lower-cased) addresses are already on the list. */
  async existing(emails: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < emails.length; i += CHUNK) {
      const rows = await this.db('subscribers')
        .whereIn('email', emails.slice(i, i + CHUNK))
        .select('email');
      for (const r of rows as any[]) out.add(r.email);
    }
    return out;
  }

  private async attachTopics(rows: any[]): Promise<Subscriber[]> {
    const ids = rows.map((r) => Number(r.id));
    const topics = new Map<number, number[]>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const links = await this.db('subscriber_topics')
        .whereIn('subscriber_id', ids.slice(i, i + CHUNK))
        .orderBy('category_id')
        .select('subscriber_id', 'category_id');
      for (const l of links as any[]) {
        const id = Number(l.subscriber_id);
        topics.set(id, [...(topics.get(id) ?? []), Number(l.category_id)]);
      }
    }
    return rows.map((r) => mapRow(r, topics.get(Number(r.id)) ?? []));
  }
}
