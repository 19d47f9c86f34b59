import type { Knex } from 'knex';
import { fromDbTimeOrNull, fromDbTime, toDbTime } from '../db/dialect';

export interface ThrottleState {
  failures: number;
  windowStartedAt: Date;
  lockedUntil: Date | null;
}

export class ThrottleRepository {
  constructor(private readonly db: Knex) {}

  async get(key: string): Promise<ThrottleState | null> {
    const row = await this.db('login_throttle').where({ key }).first();
    if (!row) return null;
    return {
      failures: Number(row.failures),
      windowStartedAt: fromDbTime(row.window_started_at),
      lockedUntil: fromDbTimeOrNull(row.locked_until),
    };
  }

  async put(key: string, s: ThrottleState): Promise<void> {
    await this.db('login_throttle')
      .insert({
        key,
        failures: s.failures,
        window_started_at: toDbTime(s.windowStartedAt),
        locked_until: s.lockedUntil ? toDbTime(s.lockedUntil) : null,
      })
      .onConflict('key')
      .merge();
  }

  async clear(key: string): Promise<void> {
    await this.db('login_throttle').where({ key }).del();
  }
}
