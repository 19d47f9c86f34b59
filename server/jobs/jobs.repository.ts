/* eslint-disable @typescript-eslint/no-explicit-any -- knex rows are untyped until mapped here */
import type { Knex } from 'knex';
import { fromDbCount, fromDbTime, fromDbTimeOrNull, toDbTime } from '../db/dialect';

export interface JobRun {
  id: number;
  name: string;
  instance: string;
  trigger: 'schedule' | 'manual';
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  outcome: 'running' | 'ok' | 'error';
  detail: string | null;
}

export class JobsRepository {
  constructor(private readonly db: Knex) {}

  /**
   * Takes the job's lease when it is free or expired (or already ours). The insert creates the
   * row once; the guarded update is what decides, on SQLite and PostgreSQL alike.
   */
  async acquireLease(name: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    await this.db('job_leases')
      .insert({ name, holder: null, expires_at: toDbTime(new Date(0)) })
      .onConflict('name')
      .ignore();
    const n = await this.db('job_leases')
      .where({ name })
      .andWhere((q) => q.whereNull('holder').orWhere('expires_at', '<', toDbTime(now)).orWhere('holder', holder))
      .update({ holder, expires_at: toDbTime(new Date(now.getTime() + ttlMs)) });
    return n === 1;
  }

  async leaseHolder(name: string): Promise<{ holder: string | null; expiresAt: Date } | null> {
    const r = await this.db('job_leases').where({ name }).first();
    return r ? { holder: r.holder, expiresAt: fromDbTime(r.expires_at) } : null;
  }

  /** Takes over a lease from a holder known to be dead, guarded on that holder. */
  async stealLease(name: string, deadHolder: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const n = await this.db('job_leases')
      .where({ name, holder: deadHolder })
      .update({ holder, expires_at: toDbTime(new Date(now.getTime() + ttlMs)) });
    return n === 1;
  }

  async extendLease(name: string, holder: string, until: Date): Promise<boolean> {
    return (
      (await this.db('job_leases')
        .where({ name, holder })
        .update({ expires_at: toDbTime(until) })) === 1
    );
  }

  async releaseLease(name: string, holder: string, now: Date): Promise<void> {
    await this.db('job_leases')
      .where({ name, holder })
      .update({ holder: null, expires_at: toDbTime(now) });
  }

  async startRun(r: { name: string; instance: string; trigger: 'schedule' | 'manual' }, now: Date): Promise<number> {
    const [row] = await this.db('job_runs')
      .insert({ name: r.name, instance: r.instance, trigger: r.trigger, started_at: toDbTime(now), outcome: 'running' })
      .returning('id');
    return typeof row === 'object' ? (row as { id: number }).id : (row as number);
  }

  async finishRun(id: number, outcome: 'ok' | 'error', detail: string, now: Date, durationMs: number): Promise<void> {
    await this.db('job_runs')
      .where({ id })
      .update({ outcome, detail: detail.slice(0, 4000), finished_at: toDbTime(now), duration_ms: Math.round(durationMs) });
  }

  async runs(f: { name?: string; limit: number; offset: number }): Promise<{ rows: JobRun[]; total: number }> {
    const base = this.db('job_runs').modify((q) => {
      if (f.name) q.where('name', f.name);
    });
    const [rows, count] = await Promise.all([base.clone().orderBy('id', 'desc').limit(f.limit).offset(f.offset), base.clone().count({ n: '*' }).first()]);
    return {
      total: fromDbCount(count?.n),
      rows: rows.map((r: any) => ({
        id: r.id,
        name: r.name,
        instance: r.instance,
        trigger: r.trigger,
        startedAt: fromDbTime(r.started_at),
        finishedAt: fromDbTimeOrNull(r.finished_at),
        durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
        outcome: r.outcome,
        detail: r.detail,
      })),
    };
  }

  /** Old runs are not worth keeping forever. */
  async purgeRunsBefore(before: Date): Promise<number> {
    return this.db('job_runs').where('started_at', '<', toDbTime(before)).whereNot('outcome', 'running').del();
  }
}
