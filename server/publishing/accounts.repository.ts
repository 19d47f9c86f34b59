/* eslint-disable @typescript-eslint/no-explicit-any -- knex rows are untyped until mapped here */
import type { Knex } from 'knex';
import { fromDbBool, fromDbTimeOrNull, toDbTime } from '../db/dialect';
import type { SecretBox } from '../crypto/secrets';

export type Connection = 'connected' | 'expired' | 'disconnected';

export interface ChannelAccount {
  id: number;
  channel: string;
  label: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  hasCredentials: boolean;
  connection: Connection;
  /** When the network's token ends (a Facebook Page token), if it says. */
  expiresAt: Date | null;
  /** When the network ends the app's access to the account's data (Facebook's data_access_expires_at), if it says. */
  dataAccessExpiresAt: Date | null;
  checkedAt: Date | null;
  removedAt: Date | null;
  /** The network asked the account to wait ("too many requests"): nothing of it goes before this time. */
  rateLimitedUntil: Date | null;
}

function toAccount(r: any): ChannelAccount {
  return {
    id: r.id,
    channel: r.channel,
    label: r.label,
    enabled: fromDbBool(r.enabled),
    settings: JSON.parse(r.settings || '{}') as Record<string, unknown>,
    hasCredentials: !!r.credentials,
    connection: (r.connection ?? 'connected') as Connection,
    expiresAt: fromDbTimeOrNull(r.expires_at),
    dataAccessExpiresAt: fromDbTimeOrNull(r.data_access_expires_at),
    checkedAt: fromDbTimeOrNull(r.checked_at),
    removedAt: fromDbTimeOrNull(r.removed_at),
    rateLimitedUntil: fromDbTimeOrNull(r.rate_limited_until),
  };
}

function parseState(v: unknown): Record<string, unknown> {
  if (typeof v !== 'string' || !v) return {};
  try {
    const parsed = JSON.parse(v) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The only code that touches `channel_accounts`. Credentials are stored encrypted (SecretBox). */
export class AccountsRepository {
  constructor(
    private readonly db: Knex,
    private readonly box: SecretBox,
  ) {}

  /** The accounts in use; removed ones only when asked (their history still names them). */
  async list(trx: Knex = this.db, opts: { withRemoved?: boolean } = {}): Promise<ChannelAccount[]> {
    const q = trx('channel_accounts').orderBy('id');
    if (!opts.withRemoved) q.whereNull('removed_at');
    return (await q).map(toAccount);
  }

  async get(id: number, trx: Knex = this.db): Promise<ChannelAccount | null> {
    const r = await trx('channel_accounts').where({ id }).first();
    return r ? toAccount(r) : null;
  }

  async credentials(id: number): Promise<Record<string, unknown> | null> {
    const r = await this.db('channel_accounts').where({ id }).first('credentials');
    return r?.credentials ? (JSON.parse(this.box.open(r.credentials)) as Record<string, unknown>) : null;
  }

  async insert(
    a: {
      channel: string;
      label: string;
      settings?: Record<string, unknown>;
      credentials?: Record<string, unknown> | null;
      enabled?: boolean;
      expiresAt?: Date | null;
      dataAccessExpiresAt?: Date | null;
    },
    now: Date,
    trx: Knex = this.db,
  ): Promise<number> {
    const [row] = await trx('channel_accounts')
      .insert({
        channel: a.channel,
        label: a.label,
        enabled: a.enabled ?? true,
        settings: JSON.stringify(a.settings ?? {}),
        credentials: a.credentials ? this.box.seal(JSON.stringify(a.credentials)) : null,
        connection: 'connected',
        expires_at: a.expiresAt ? toDbTime(a.expiresAt) : null,
        data_access_expires_at: a.dataAccessExpiresAt ? toDbTime(a.dataAccessExpiresAt) : null,
        created_at: toDbTime(now),
        updated_at: toDbTime(now),
      })
      .returning('id');
    return typeof row === 'object' ? (row as { id: number }).id : (row as number);
  }

  /** A reconnection: new label, settings and credentials; the account is connected again. */
  async reconnect(
    id: number,
    a: {
      label: string;
      settings: Record<string, unknown>;
      credentials: Record<string, unknown> | null;
      expiresAt?: Date | null;
      dataAccessExpiresAt?: Date | null;
    },
    now: Date,
  ): Promise<void> {
    await this.db('channel_accounts')
      .where({ id })
      .whereNull('removed_at')
      .update({
        label: a.label,
        settings: JSON.stringify(a.settings),
        credentials: a.credentials ? this.box.seal(JSON.stringify(a.credentials)) : null,
        connection: 'connected',
        expires_at: a.expiresAt ? toDbTime(a.expiresAt) : null,
        data_access_expires_at: a.dataAccessExpiresAt ? toDbTime(a.dataAccessExpiresAt) : null,
        checked_at: toDbTime(now),
        updated_at: toDbTime(now),
      });
  }

  /**
   * What an OAuth connection keeps in the administrator's session between the redirect and the
   * callback (a Mastodon app's client secret): sealed like credentials, never stored in clear.
   */
  sealPending(values: Record<string, unknown>): string {
    return this.box.seal(JSON.stringify(values));
  }

  openPending(sealed: string): Record<string, unknown> {
    return JSON.parse(this.box.open(sealed)) as Record<string, unknown>;
  }

  /** An adapter refreshed its token: stored encrypted at once, so that the next call reads it. */
  async saveCredentials(id: number, credentials: Record<string, unknown>, now: Date): Promise<void> {
    await this.db('channel_accounts')
      .where({ id })
      .update({ credentials: this.box.seal(JSON.stringify(credentials)), updated_at: toDbTime(now) });
  }

  /** Settings changed by an administrator (a Mastodon visibility): the rest of the account untouched. */
  async updateSettings(id: number, settings: Record<string, unknown>, now: Date): Promise<void> {
    await this.db('channel_accounts')
      .where({ id })
      .whereNull('removed_at')
      .update({ settings: JSON.stringify(settings), updated_at: toDbTime(now) });
  }

  /** The adapter's durable state of an account (Facebook's call budget): {} when none. */
  async adapterState(id: number): Promise<Record<string, unknown>> {
    const r = await this.db('channel_accounts').where({ id }).first('adapter_state');
    return parseState(r?.adapter_state);
  }

  /**
   * Changes the adapter's state of an account as `change` says, safely when several processes do
   * it at once: the row is written only if its state is still the one `change` saw (compare and
   * swap, the same on SQLite and PostgreSQL, no lock held across the call), else read again and
   * retried, a bounded number of times. Answers the state written.
   */
  async updateAdapterState(id: number, change: (state: Record<string, unknown>) => Record<string, unknown>, now: Date): Promise<Record<string, unknown>> {
    for (let tries = 0; tries < 20; tries++) {
      const r = await this.db('channel_accounts').where({ id }).first('adapter_state');
      if (!r) return {};
      const before = (r.adapter_state as string | null) ?? null;
      const next = change(parseState(before));
      const json = JSON.stringify(next);
      if (json.length > 20_000) throw new Error('account adapter state too large');
      const q = this.db('channel_accounts').where({ id });
      if (before === null) q.whereNull('adapter_state');
      else q.where('adapter_state', before);
      if ((await q.update({ adapter_state: json, updated_at: toDbTime(now) })) === 1) return next;
    }
    throw new Error('account adapter state kept changing under this write');
  }

  async markConnection(id: number, connection: Connection, now: Date): Promise<void> {
    await this.db('channel_accounts')
      .where({ id })
      .update({ connection, checked_at: toDbTime(now), updated_at: toDbTime(now) });
  }

  /** The whole account waits until `until` (a rate limit's reset); a later reset is never shortened. */
  async rateLimit(id: number, until: Date, now: Date): Promise<void> {
    await this.db('channel_accounts')
      .where({ id })
      .andWhere((q) => q.whereNull('rate_limited_until').orWhere('rate_limited_until', '<', toDbTime(until)))
      .update({ rate_limited_until: toDbTime(until), updated_at: toDbTime(now) });
  }

  async setEnabled(id: number, enabled: boolean, now: Date): Promise<void> {
    await this.db('channel_accounts')
      .where({ id })
      .update({ enabled, updated_at: toDbTime(now) });
  }

  /** Removal keeps the row (its publications' history names it) and forgets the secrets. */
  async remove(id: number, now: Date, trx: Knex = this.db): Promise<boolean> {
    const n = await trx('channel_accounts')
      .where({ id })
      .whereNull('removed_at')
      .update({ removed_at: toDbTime(now), credentials: null, enabled: false, updated_at: toDbTime(now) });
    return n === 1;
  }
}
