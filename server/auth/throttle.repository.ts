import type { Knex } from 'knex';
import { fromDbTimeOrNull, fromDbTime, toDbTime } from '../db/dialect';

export interface ThrottleState {
  failures: number;
  windowStartedAt: Date;
  lockedUntil: Date | null;
}

export class ThrottleRepository {
  constructor(private readonly db: Knex) {}

  /** Windows started before `dayAgo` and no longer locked at `iso`, forgotten; how many. */
  async purgeStale(dayAgo: string, iso: string): Promise<number> {
    return this.db('login_throttle')
      .where('window_started_at', '<', dayAgo)
      .andWhere((q) => q.whereNull('locked_until').orWhere('locked_until', '<', iso))
      .del();
  }

  async get(key: string): Promise<ThrottleState | null> {
    const row = await this.db('login_throttle').where({ key }).first();
    if (!row) return null;
    return {
      failures: Number(row.failures),
      windowStartedAt: fromDbTime(row.window_started_at),
      lockedUntil: fromDbTimeOrNull(row.locked_until),
    };
  }

  /**
   * Counts one more attempt in one statement and returns the count in the current window (a
   * window older than `windowStart` starts again at 1). Read-then-write would let 40 concurrent
   * guesses all read "4 so far".
   */
  async countAttempt(key: string, now: Date, windowStart: Date): Promise<{ attempts: number; lockedUntil: Date | null }> {
    const t = toDbTime(now);
    const cutoff = toDbTime(windowStart);
    const { rows } = await this.upsert(key, t, cutoff);
    const row = rows[0] as { failures: unknown; locked_until: unknown };
    return { attempts: Number(row.failures), lockedUntil: fromDbTimeOrNull(row.locked_until) };
  }

  private async upsert(key: string, now: string, cutoff: string): Promise<{ rows: unknown[] }> {
    // SET expressions read the row as it was before the update, on SQLite as on PostgreSQL.
    const sql = `insert into login_throttle ("key", failures, window_started_at, locked_until) values (?, 1, ?, null)
      on conflict ("key") do update set
        failures = case when login_throttle.window_started_at < ? then 1 else login_throttle.failures + 1 end,
        window_started_at = case when login_throttle.window_started_at < ? then ? else login_throttle.window_started_at end
      returning failures, locked_until`;
    const result = await this.db.raw(sql, [key, now, cutoff, cutoff, now]);
    // pg answers { rows }, sqlite3 the rows themselves.
    return Array.isArray(result) ? { rows: result } : (result as { rows: unknown[] });
  }

  /** Sets the lock unless one is already running (the earliest end stands). */
  async lock(key: string, until: Date, now: Date): Promise<void> {
    await this.db('login_throttle')
      .where({ key })
      .andWhere((q) => q.whereNull('locked_until').orWhere('locked_until', '<', toDbTime(now)))
      .update({ locked_until: toDbTime(until) });
  }

  /** A successful login from an address gives its attempt back (a town hall shares one address). */
  async giveBack(key: string): Promise<void> {
    await this.db('login_throttle').where({ key }).andWhere('failures', '>', 0).decrement('failures', 1);
  }

  async clear(key: string): Promise<void> {
    await this.db('login_throttle').where({ key }).del();
  }
}
