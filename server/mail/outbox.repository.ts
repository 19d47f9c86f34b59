import type { Knex } from 'knex';
import { toDbTime } from '../db/dialect';

export interface OutboxRow {
  id: number;
  kind: string;
  payload: string | null;
  summary: string;
  status: 'pending' | 'sending' | 'sent' | 'failed';
  attempts: number;
}

export class OutboxRepository {
  constructor(private readonly db: Knex) {}

  async enqueue(e: { kind: string; payload: unknown; summary: string; availableAt: Date }, now: Date, trx: Knex): Promise<number> {
    const [row] = await trx('outbox')
      .insert({
        kind: e.kind,
        payload: JSON.stringify(e.payload),
        summary: e.summary.slice(0, 300),
        status: 'pending',
        available_at: toDbTime(e.availableAt),
        created_at: toDbTime(now),
      })
      .returning('id');
    return typeof row === 'object' ? (row as { id: number }).id : (row as number);
  }

  async due(now: Date, limit: number): Promise<OutboxRow[]> {
    return this.db('outbox').where({ status: 'pending' }).andWhere('available_at', '<=', toDbTime(now)).orderBy('id').limit(limit);
  }

  /** Guarded update: only one worker gets the row. */
  async claim(id: number): Promise<boolean> {
    const n = await this.db('outbox').where({ id, status: 'pending' }).update({ status: 'sending' });
    return n === 1;
  }

  async markSent(id: number, now: Date): Promise<void> {
    await this.db('outbox')
      .where({ id })
      .update({ status: 'sent', sent_at: toDbTime(now), payload: null, last_error: null });
  }

  async markRetry(id: number, attempts: number, error: string, retryAt: Date, failed: boolean): Promise<void> {
    await this.db('outbox')
      .where({ id })
      .update({
        status: failed ? 'failed' : 'pending',
        attempts,
        last_error: error.slice(0, 2000),
        available_at: toDbTime(retryAt),
      });
  }

  async purgeSentBefore(before: Date): Promise<number> {
    return this.db('outbox').where({ status: 'sent' }).andWhere('sent_at', '<', toDbTime(before)).del();
  }
}
