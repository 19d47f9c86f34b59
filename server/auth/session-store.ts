import session from 'express-session';
import type { Knex } from 'knex';
import { toDbTime } from '../db/dialect';

/** How long an admin session lasts without use: a working day; the cookie is refreshed while in use. */
export const SESSION_TTL_MS = 8 * 3600_000;

/** express-session store backed by the `sessions` table, so sessions survive restarts and are shared by instances. */
export class KnexSessionStore extends session.Store {
  constructor(
    private readonly db: Knex,
    private readonly ttlMs: number,
  ) {
    super();
  }

  override get(sid: string, cb: (err: unknown, session?: session.SessionData | null) => void): void {
    this.db('sessions')
      .where({ sid })
      .andWhere('expires_at', '>', toDbTime(new Date()))
      .first('sess')
      .then((row: { sess: string } | undefined) => cb(null, row ? (JSON.parse(row.sess) as session.SessionData) : null))
      .catch(cb);
  }

  override set(sid: string, sess: session.SessionData, cb?: (err?: unknown) => void): void {
    const expires = sess.cookie?.expires ? new Date(sess.cookie.expires) : new Date(Date.now() + this.ttlMs);
    const row = { sid, sess: JSON.stringify(sess), user_id: sess.userId ?? null, expires_at: toDbTime(expires) };
    this.db('sessions')
      .insert(row)
      .onConflict('sid')
      .merge(['sess', 'user_id', 'expires_at'])
      .then(() => cb?.())
      .catch((e) => cb?.(e));
  }

  override destroy(sid: string, cb?: (err?: unknown) => void): void {
    this.db('sessions')
      .where({ sid })
      .del()
      .then(() => cb?.())
      .catch((e) => cb?.(e));
  }

  /** Signs a person out everywhere but in `keepSid` (their own, when they change their password), in the caller's transaction. */
  async endAllOf(userId: number, trx: Knex, keepSid?: string): Promise<void> {
    const q = trx('sessions').where({ user_id: userId });
    if (keepSid !== undefined) q.whereNot({ sid: keepSid });
    await q.del();
  }

  /** Sessions that expired before `iso`, forgotten; how many. */
  async purgeExpired(iso: string): Promise<number> {
    return this.db('sessions').where('expires_at', '<', iso).del();
  }

  override touch(sid: string, sess: session.SessionData, cb?: () => void): void {
    const expires = sess.cookie?.expires ? new Date(sess.cookie.expires) : new Date(Date.now() + this.ttlMs);
    this.db('sessions')
      .where({ sid })
      .update({ expires_at: toDbTime(expires) })
      .then(() => cb?.())
      .catch(() => cb?.());
  }
}

declare module 'express-session' {
  interface SessionData {
    userId?: number;
    csrf?: string;
    flash?: { type: 'success' | 'error' | 'info'; message: string; field?: string }[];
    locale?: 'fr' | 'en';
    /** An OAuth connection between the redirect to the network and its callback. */
    oauth?: import('../publishing/accounts.service').PendingOAuth;
  }
}
