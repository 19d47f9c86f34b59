/* eslint-disable @typescript-eslint/no-explicit-any -- knex rows are untyped until mapped here */
import type { Knex } from 'knex';
import { fromDbTime, toDbTime, fromDbCount } from '../db/dialect';

export interface AuditEntry {
  id: number;
  at: Date;
  actorId: number | null;
  actorLabel: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown> | null;
}

export interface Actor {
  id: number | null;
  label: string; // display name or "système"; never a password or token
}

/** The audit trail is append-only: this repository has no update and no delete. */
export class AuditRepository {
  constructor(private readonly db: Knex) {}

  async append(
    e: { actor: Actor; action: string; targetType?: string; targetId?: string | number; details?: Record<string, unknown> },
    at: Date,
    trx: Knex = this.db,
  ): Promise<void> {
    await trx('audit_log').insert({
      at: toDbTime(at),
      actor_id: e.actor.id,
      actor_label: e.actor.label,
      action: e.action,
      target_type: e.targetType ?? null,
      target_id: e.targetId === undefined ? null : String(e.targetId),
      details: e.details ? JSON.stringify(e.details) : null,
    });
  }

  async list(f: { action?: string; actorId?: number; limit: number; offset: number }): Promise<{ rows: AuditEntry[]; total: number }> {
    const base = this.db('audit_log').modify((q) => {
      if (f.action) q.where('action', f.action);
      if (f.actorId) q.where('actor_id', f.actorId);
    });
    const [rows, count] = await Promise.all([base.clone().orderBy('id', 'desc').limit(f.limit).offset(f.offset), base.clone().count({ n: '*' }).first()]);
    return {
      total: fromDbCount(count?.n),
      rows: rows.map((r: Record<string, any>) => ({
        id: r.id,
        at: fromDbTime(r.at),
        actorId: r.actor_id,
        actorLabel: r.actor_label,
        action: r.action,
        targetType: r.target_type,
        targetId: r.target_id,
        details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
      })),
    };
  }

  async distinctActions(): Promise<string[]> {
    const rows = await this.db('audit_log').distinct('action').orderBy('action');
    return rows.map((r) => r.action as string);
  }
}
