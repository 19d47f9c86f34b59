import type { Knex } from 'knex';
import { fromDbTime, toDbTime } from '../db/dialect';

/** invite and reset set a password; email confirms a new address (carried in new_email). */
export type TokenPurpose = 'invite' | 'reset' | 'email';

export class TokensRepository {
  constructor(private readonly db: Knex) {}

  /** Links spent or expired before `iso`, forgotten; how many. */
  async purgeSpent(iso: string): Promise<number> {
    return this.db('user_tokens').where('expires_at', '<', iso).orWhereNotNull('used_at').del();
  }

  async insert(t: { userId: number; purpose: TokenPurpose; hash: string; expiresAt: Date; newEmail?: string }, now: Date, trx: Knex = this.db): Promise<void> {
    // A new link replaces any earlier one of the same purpose.
    await trx('user_tokens').where({ user_id: t.userId, purpose: t.purpose }).whereNull('used_at').del();
    await trx('user_tokens').insert({
      user_id: t.userId,
      purpose: t.purpose,
      token_hash: t.hash,
      expires_at: toDbTime(t.expiresAt),
      created_at: toDbTime(now),
      new_email: t.newEmail ?? null,
    });
  }

  async findValid(hash: string, now: Date): Promise<{ id: number; userId: number; purpose: TokenPurpose; newEmail: string | null } | null> {
    const row = await this.db('user_tokens').where({ token_hash: hash }).whereNull('used_at').first();
    if (!row || fromDbTime(row.expires_at).getTime() <= now.getTime()) return null;
    return { id: row.id, userId: row.user_id, purpose: row.purpose, newEmail: row.new_email ?? null };
  }

  /** The address change still waiting for its link, if any (shown on "Mon compte"). */
  async pendingEmail(userId: number, now: Date): Promise<{ newEmail: string; expiresAt: Date } | null> {
    const row = await this.db('user_tokens').where({ user_id: userId, purpose: 'email' }).whereNull('used_at').orderBy('id', 'desc').first();
    if (!row?.new_email || fromDbTime(row.expires_at).getTime() <= now.getTime()) return null;
    return { newEmail: row.new_email, expiresAt: fromDbTime(row.expires_at) };
  }

  /** Cancels the address change still waiting (the person changed their mind). */
  async revokePurpose(userId: number, purpose: TokenPurpose, trx: Knex = this.db): Promise<void> {
    await trx('user_tokens').where({ user_id: userId, purpose }).whereNull('used_at').del();
  }

  /** A new password voids every link still out for the account: a stolen reset link dies with it. */
  async revokeAll(userId: number, trx: Knex): Promise<void> {
    await trx('user_tokens').where({ user_id: userId }).whereNull('used_at').del();
  }

  /** Guarded: a link works once, even if clicked twice at the same moment. */
  async consume(id: number, now: Date, trx: Knex): Promise<boolean> {
    const n = await trx('user_tokens')
      .where({ id })
      .whereNull('used_at')
      .update({ used_at: toDbTime(now) });
    return n === 1;
  }
}
